using ActorPool.Protocol;

namespace ActorPool;

/// <summary>
/// What a running task can learn about itself, on any deployment: read it from inside the
/// function a job runs (on the worker's thread, or anywhere an async function's code goes on
/// after an await, until its task completes).
/// </summary>
public static class PoolContext
{
    /// <summary>
    /// Cancelled when the task's job is cancelled (the <c>cancellationToken</c> passed with it), its
    /// pool is terminated, its attempt passes the job's <see cref="JobOptions.TaskTimeout"/>, or a
    /// copy of it started elsewhere won (<see cref="JobOptions.Speculative"/>), in whatever process
    /// the task runs. A task that watches it can stop early; one that does not runs to its end, and
    /// its result is discarded. <see cref="System.Threading.CancellationToken.None"/>
    /// outside a task.
    /// </summary>
    public static CancellationToken CancellationToken => TaskScope.CurrentItem?.Token ?? TaskScope.Current?.Token ?? CancellationToken.None;

    /// <summary>Which run of its item the task is: 1 the first time, 2 on its first retry (<see cref="JobOptions.Retries"/>), and so on; 0 outside a task.</summary>
    public static int Attempt => TaskScope.CurrentItem?.Attempt ?? TaskScope.Current?.Attempt ?? 0;
}
