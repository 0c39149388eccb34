namespace ActorPool;

/// <summary>
/// A task was in flight on a worker that died (its process exited, or its node became
/// unreachable) more times than <see cref="PoolOptions.MaxWorkerLosses"/> allows: the task is
/// presumed to be what kills its workers, and fails instead of taking more of them down.
/// </summary>
public sealed class WorkerLostException : Exception
{
    /// <summary>Creates the exception with a message naming the task.</summary>
    public WorkerLostException(string message)
        : base(message)
    {
    }
}
