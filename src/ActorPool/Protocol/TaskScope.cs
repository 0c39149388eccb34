namespace ActorPool.Protocol;

/// <summary>
/// The task a worker thread is running, for <see cref="PoolContext"/>: its job, its cancellation
/// and the attempt of the item being run. A worker owns one and reuses it for every chunk.
/// </summary>
internal sealed class TaskScope
{
    [ThreadStatic] private static TaskScope? t_current;

    private TaskCancellation? _cancellation;
    private long _jobId;
    private bool _acquired;
    private CancellationToken _token;

    /// <summary>The scope of the task running on this thread; null outside a task.</summary>
    public static TaskScope? Current => t_current;

    /// <summary>The attempt of the item being run: 1, then 2 on its first retry, and so on.</summary>
    public int Attempt { get; set; }

    /// <summary>The task's cancellation token, made on first use.</summary>
    public CancellationToken Token
    {
        get
        {
            if (!_acquired && _cancellation is not null)
            {
                _token = _cancellation.Acquire(_jobId);
                _acquired = true;
            }
            return _token;
        }
    }

    /// <summary>This thread runs a chunk of job <paramref name="jobId"/> until <see cref="End"/>.</summary>
    public void Begin(TaskCancellation cancellation, long jobId)
    {
        (_cancellation, _jobId, _acquired, _token, Attempt) = (cancellation, jobId, false, default, 1);
        t_current = this;
    }

    /// <summary>The chunk has ended: the thread runs no task, and the token, if one was made, is let go.</summary>
    public void End()
    {
        t_current = null;
        if (_acquired)
            _cancellation!.Release(_jobId);
        (_cancellation, _acquired, _token, Attempt) = (null, false, default, 0);
    }
}
