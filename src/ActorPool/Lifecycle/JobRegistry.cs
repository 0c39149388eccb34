namespace ActorPool.Lifecycle;

/// <summary>
/// The pool's lifecycle state and its outstanding jobs. Join waits on <see cref="Drained"/>;
/// Terminate fails every job still registered.
/// </summary>
/// <remarks>
/// State and registrations change under one lock, so a job cannot register after Close() has
/// seen the registry empty: a submission racing Close() either registers first (and Join waits for
/// it) or fails with "Pool not running". Jobs are called back (Abort, OnPoolClosing) outside the
/// lock, since those calls reach user-facing results and actors.
/// </remarks>
internal sealed class JobRegistry
{
    private readonly object _gate = new();
    private readonly Dictionary<long, IJob> _jobs = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PoolState _state = PoolState.Running;
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

    public void Terminate(Exception reason)
    {
        IJob[] jobs;
        lock (_gate)
        {
            if (_state == PoolState.Terminated)
                return;
            _state = PoolState.Terminated;
            jobs = _jobs.Values.ToArray();
            _jobs.Clear();
            _drained.TrySetResult();
        }
        foreach (var job in jobs)
            job.Abort(reason);
    }

    public static InvalidOperationException NotRunning() =>
        new("Pool not running: Close() or Terminate() has been called, so it accepts no new work.");
}
