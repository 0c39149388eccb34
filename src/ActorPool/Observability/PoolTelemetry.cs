namespace ActorPool.Observability;

/// <summary>
/// One pool's view of its work, for metrics (<see cref="PoolInstruments"/>) and for a live view of
/// the pool (the dashboard): its jobs in progress and the last ones finished, its live workers and
/// what they do (<see cref="Board"/>), and the measurements it makes, each tagged with the pool's
/// name. Counted by whoever learns of a change (jobs' tallies, the router, workers in process);
/// read from any thread.
/// </summary>
internal sealed class PoolTelemetry
{
    /// <summary>Finished jobs listed after they end.</summary>
    public const int FinishedJobsKept = 100;

    /// <summary>Jobs in progress listed, the newest: a pool may have any number (every ApplyAsync is a job).</summary>
    public const int RunningJobsListed = 100;

    // Jobs in progress, and what the last ones finished came to (not their tallies: those hold
    // what the caller gave, a progress handler among them). One lock for both, so that a job is
    // always in exactly one of them once it began; taken once per job, never per item.
    private readonly object _jobsGate = new();
    private readonly Dictionary<long, ILiveJob> _jobs = new();
    private readonly Ring<JobSnapshot> _finished = new(FinishedJobsKept);
    private readonly KeyValuePair<string, object?> _success;
    private readonly KeyValuePair<string, object?> _failure;
    private int _workers;
    private long _completed;
    private long _failed;

    public PoolTelemetry(string name)
    {
        Name = name;
        Tag = new(PoolInstruments.PoolTag, name);
        _success = new("outcome", "success");
        _failure = new("outcome", "failure");
        Board = new WorkerBoard(DescribeJob);
    }

    /// <summary>What the pool's workers do, while someone watches.</summary>
    public WorkerBoard Board { get; }

    /// <summary>Items of the pool's jobs that succeeded, since the pool started.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Items of the pool's jobs that failed, since the pool started.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The pool's name (<see cref="Pool.Name"/>).</summary>
    public string Name { get; }

    /// <summary>The tag every measurement of this pool carries.</summary>
    public KeyValuePair<string, object?> Tag { get; }

    /// <summary>Items submitted to the pool's jobs in progress and not finished yet.</summary>
    public long Pending
    {
        get
        {
            lock (_jobsGate)
                return _jobs.Values.Sum(job => job.Pending);
        }
    }

    /// <summary>Jobs in progress.</summary>
    public int RunningJobs
    {
        get
        {
            lock (_jobsGate)
                return _jobs.Count;
        }
    }

    /// <summary>The pool's live workers, as its router last counted them.</summary>
    public int Workers => Volatile.Read(ref _workers);

    public void JobBegan(ILiveJob job)
    {
        lock (_jobsGate)
            _jobs.TryAdd(job.Id, job);
    }

    /// <summary>The job has ended: what it came to is listed among the last finished, and, if it failed or was cancelled, the board says so.</summary>
    public void JobEnded(ILiveJob job, Exception? error)
    {
        lock (_jobsGate)
        {
            if (!_jobs.Remove(job.Id, out var began) || began != job)
                return; // never began: refused at submission
            _finished.Add(job.Snapshot());
        }
        if (job.State is JobState.Failed or JobState.Cancelled && Board.Watched)
            Board.JobEnded(job.Describe(), job.State == JobState.Cancelled, error);
    }

    /// <summary>The newest <see cref="RunningJobsListed"/> jobs in progress, then the last <see cref="FinishedJobsKept"/> finished, newest first.</summary>
    public IReadOnlyList<JobSnapshot> Jobs()
    {
        lock (_jobsGate)
        {
            var from = 0L;
            var finished = _finished.Since(ref from).Reverse();
            return [.. _jobs.Values.OrderByDescending(job => job.Id).Take(RunningJobsListed).Select(job => job.Snapshot()), .. finished];
        }
    }

    private string DescribeJob(long jobId)
    {
        lock (_jobsGate)
            return _jobs.TryGetValue(jobId, out var job) ? job.Describe() : JobKind.Describe("job", jobId);
    }

    /// <summary>Items of a job have finished; <paramref name="error"/> is the first failed item's, if any.</summary>
    public void Finished(ILiveJob job, long completed, long failed, Exception? error = null)
    {
        if (completed != 0)
            Interlocked.Add(ref _completed, completed);
        if (failed != 0)
        {
            Interlocked.Add(ref _failed, failed);
            if (Board.Watched)
                Board.Failed(job.Describe(), failed, error);
        }
        if (!PoolInstruments.TasksCompleted.Enabled)
            return;
        if (completed > 0)
            ListenerGuard.Add(PoolInstruments.TasksCompleted, completed, Tag, _success);
        if (failed > 0)
            ListenerGuard.Add(PoolInstruments.TasksCompleted, failed, Tag, _failure);
    }

    /// <summary>Items of chunk <paramref name="chunkIndex"/> of <paramref name="job"/> were run again <paramref name="retries"/> times after failures.</summary>
    public void Retried(ILiveJob job, long chunkIndex, int retries)
    {
        if (Board.Watched)
            Board.Retried(job.Describe(), chunkIndex, retries);
    }

    /// <summary>A chunk ran on its worker for <paramref name="runTime"/>.</summary>
    public void ChunkRan(TimeSpan runTime) => ListenerGuard.Record(PoolInstruments.ChunkDuration, runTime.TotalSeconds, Tag);

    /// <summary>The router counts <paramref name="live"/> workers now.</summary>
    public void WorkersChanged(int live) => Volatile.Write(ref _workers, live);

    /// <summary>A worker was lost (it did not leave or retire as planned).</summary>
    public void WorkerLost() => ListenerGuard.Add(PoolInstruments.WorkersLost, 1, Tag);
}
