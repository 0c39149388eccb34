namespace ActorPool;

/// <summary>
/// The result of a task that had not completed when its pool was terminated with
/// <see cref="Pool.Terminate"/>. (CPython leaves such results waiting forever.)
/// </summary>
public sealed class PoolTerminatedException : InvalidOperationException
{
    /// <summary>Creates the exception with the standard message.</summary>
    public PoolTerminatedException()
        : base("The pool was terminated before this task completed.")
    {
    }
}
