using ActorPool.Deployment;

namespace ActorPool;

/// <summary>
/// The argument checks every job's submission makes, the one place they are written: by
/// <see cref="Pool"/>'s methods (which throw them to the caller) and by the request messages
/// actors send (which reply with them as a <c>Status.Failure</c>). Exceptions name the argument.
/// </summary>
internal static class JobArguments
{
    /// <summary>Checks a job's function, as the caller named it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentException">The deployment's workers cannot run <paramref name="func"/> (see <see cref="WorkerDeployment.CheckFunction"/>).</exception>
    public static void CheckFunction(Delegate? func, string funcName, WorkerDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(func, funcName);
        deployment.CheckFunction(func, funcName);
    }

    /// <summary>Checks a job's chunk size (null: the default), as the caller named it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is less than 1.</exception>
    public static void CheckChunkSize(int? chunkSize, string chunkSizeName)
    {
        if (chunkSize < 1)
            throw new ArgumentOutOfRangeException(chunkSizeName, chunkSize, $"{chunkSizeName} must be at least 1.");
    }

    /// <summary>Checks a job's input, as the caller named it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
    public static void CheckItems(object? items, string itemsName) => ArgumentNullException.ThrowIfNull(items, itemsName);
}
