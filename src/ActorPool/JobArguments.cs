using ActorPool.Deployment;
using ActorPool.Protocol;

namespace ActorPool;

/// <summary>
/// The argument checks every job's submission makes, the one place they are written: by
/// <see cref="Pool"/>'s methods (which throw them to the caller) and by the request messages
/// actors send (which reply with them as a <c>Status.Failure</c>). Exceptions name the argument.
/// </summary>
internal static class JobArguments
{
    /// <summary>
    /// Checks a job's function, as the caller named it, and returns the function the job runs: the
    /// same, or, for a closure sent to other processes, a copy bound to its captured values as they
    /// are now (<see cref="WorkerDeployment.FreezeFunction{TFunc}"/>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentException">The deployment's workers cannot run <paramref name="func"/> (see <see cref="WorkerDeployment.FreezeFunction{TFunc}"/>), or it returns a task that would not be awaited.</exception>
    /// <param name="func">The function.</param>
    /// <param name="funcName">Its argument's name, for the exception.</param>
    /// <param name="deployment">Where it would run.</param>
    /// <param name="awaited">The function is passed to an overload that awaits the tasks it returns.</param>
    public static TFunc CheckFunction<TFunc>(TFunc? func, string funcName, WorkerDeployment deployment, bool awaited = false)
        where TFunc : Delegate
    {
        ArgumentNullException.ThrowIfNull(func, funcName);
        // Task<TResult> functions have overloads of their own, which await them; these would hand
        // back unfinished tasks (or fail to send them to another process).
        var returns = func.GetType().GetMethod("Invoke")!.ReturnType;
        if (!awaited && (returns == typeof(Task) || returns == typeof(ValueTask)
            || (returns.IsGenericType && (returns.GetGenericTypeDefinition() == typeof(ValueTask<>) || returns.GetGenericTypeDefinition() == typeof(Task<>)))))
        {
            throw new ArgumentException(
                $"The function returns {returns.Name}, which the pool would hand back unawaited. An async function must return Task<TResult> "
                + "and be passed to the overload for it (C# picks it for an async lambda); for a ValueTask<TResult>, pass x => F(x).AsTask().", funcName);
        }
        return deployment.FreezeFunction(func, funcName);
    }

    /// <summary>Checks a job's chunk size (null: the default), as the caller named it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is less than 1.</exception>
    public static void CheckChunkSize(int? chunkSize, string chunkSizeName)
    {
        if (chunkSize < 1)
            throw new ArgumentOutOfRangeException(chunkSizeName, chunkSize, $"{chunkSizeName} must be at least 1.");
    }

    /// <summary>Checks a job's options (null: the defaults), naming the property at fault as <c>options.Name</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="JobOptions.Retries"/> or <see cref="JobOptions.RetryDelay"/> is negative, or <see cref="JobOptions.TaskTimeout"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The deployment's workers cannot run <see cref="JobOptions.RetryIf"/>; or <see cref="JobOptions.JobId"/> is empty, or set for a pool without a journal or a kind of job that cannot be durable (<paramref name="durable"/> false).</exception>
    public static void CheckOptions(JobOptions? options, WorkerDeployment deployment, bool durable, bool hasJournal)
    {
        if (options is null)
            return;
        if (options.JobId is { } jobId)
        {
            if (string.IsNullOrWhiteSpace(jobId))
                throw new ArgumentException("JobId must not be empty or white space; null makes a job that is not durable.", "options.JobId");
            if (!hasJournal)
                throw new ArgumentException("JobId makes a durable job, which needs the pool's PoolOptions.JournalPath.", "options.JobId");
            if (!durable)
                throw new ArgumentException("Durable jobs (JobId) are Map, MapAsync, StarMap and StarMapAsync so far.", "options.JobId");
        }
        if (options.TaskTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > TaskRules.MaxDelay))
            throw new ArgumentOutOfRangeException("options.TaskTimeout", timeout, $"TaskTimeout must be positive and at most {TaskRules.MaxDelay}, or null for none.");
        if (options.Retries < 0)
            throw new ArgumentOutOfRangeException("options.Retries", options.Retries, "Retries must not be negative.");
        if (options.RetryDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException("options.RetryDelay", options.RetryDelay, "RetryDelay must not be negative.");
        if (options.RetryIf is { } retryIf && options.Retries > 0)
        {
            // Where the tasks run: it must travel as the function does.
            deployment.CheckFunction(retryIf, "options.RetryIf",
                "RetryIf runs where the tasks run: make it static; a predicate on the exception needs nothing else.");
        }
    }

    /// <summary>Checks a job's input, as the caller named it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
    public static void CheckItems(object? items, string itemsName) => ArgumentNullException.ThrowIfNull(items, itemsName);
}
