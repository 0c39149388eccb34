namespace ActorPool;

/// <summary>
/// The result of a task that had not completed when its pool stopped: <see cref="Pool.Terminate"/>
/// was called, or the ActorSystem the pool runs in shut down (SIGTERM, a host stopping,
/// <c>ActorSystem.Terminate</c>). (CPython leaves such results waiting forever.)
/// </summary>
public sealed class PoolTerminatedException : InvalidOperationException
{
    /// <summary>Creates the exception with the standard message.</summary>
    public PoolTerminatedException()
        : base("The pool was terminated before this task completed.")
    {
    }

    /// <summary>Creates the exception with a message saying how the pool stopped.</summary>
    public PoolTerminatedException(string message)
        : base(message)
    {
    }
}
