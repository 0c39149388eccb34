namespace ActorPool.Lifecycle;

/// <summary>
/// The pool's lifecycle state and its outstanding jobs. Join waits on <see cref="Drained"/>;
/// Terminate fails every job still registered.
/// </summary>
/// <remarks>
/// State and registrations change under one lock, so a job cannot register after Close() has
/// seen the registry empty: a submission racing Close() either registers first (and Join waits for
/// it) or fails with "Pool not running". Jobs are called back (Abort, OnJoin) outside the lock,
/// since those calls reach user-facing results and actors.
/// </remarks>
internal sealed class JobRegistry
{
    private readonly object _gate = new();
    private readonly Dictionary<long, IJob> _jobs = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PoolState _state = PoolState.Running;
    private string _stoppedBy = "Close() or Terminate() has been called";
    private long _lastId;

    public PoolState State
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>Completes once the pool has left <see cref="PoolState.Running"/> and no job is outstanding.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Registers a job and returns its id.</summary>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public long Register(IJob job) =>
        TryRegister(job, out var id) ? id : throw NotRunning();

    /// <summary>The pool's state as an exception, for work submitted when it is not running.</summary>
    public InvalidOperationException NotRunning()
    {
        lock (_gate)
            return new($"Pool not running: {_stoppedBy}, so it accepts no new work.");
    }

    public bool TryRegister(IJob job, out long id)
    {
        lock (_gate)
        {
            if (_state != PoolState.Running)
            {
                id = 0;
                return false;
            }
            id = ++_lastId;
            _jobs.Add(id, job);
            return true;
        }
    }

    /// <summary>The job has finished (or was cancelled); idempotent.</summary>
    public void Complete(long id)
    {
        lock (_gate)
        {
            if (_jobs.Remove(id) && _state != PoolState.Running && _jobs.Count == 0)
                _drained.TrySetResult();
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            if (_state != PoolState.Running)
                return;
            _state = PoolState.Closing;
            if (_jobs.Count == 0)
                _drained.TrySetResult();
        }
    }

    /// <summary>Join has begun: jobs stop waiting for consumers, so that they can all end.</summary>
    public void OnJoin()
    {
        IJob[] jobs;
        lock (_gate)
            jobs = _jobs.Values.ToArray();
        foreach (var job in jobs)
            job.OnJoin();
    }

    /// <summary>Fails every outstanding job with <paramref name="reason"/>; new work is refused, naming <paramref name="stoppedBy"/>.</summary>
    public void Terminate(Exception reason, string? stoppedBy = null)
    {
        IJob[] jobs;
        lock (_gate)
        {
            if (_state == PoolState.Terminated)
                return;
            _state = PoolState.Terminated;
            _stoppedBy = stoppedBy ?? _stoppedBy;
            jobs = _jobs.Values.ToArray();
            _jobs.Clear();
            _drained.TrySetResult();
        }
        foreach (var job in jobs)
            job.Abort(reason);
    }
}
