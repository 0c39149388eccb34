using System.Diagnostics;
using ActorPool.Lifecycle;
using ActorPool.Observability;
using ActorPool.Protocol;

namespace ActorPool.Coordination;

/// <summary>
/// One job's counts: items submitted, completed and failed, its total once known, and how it ended.
/// Every job has one, made when it is submitted; whoever learns of outcomes (its coordinator, its
/// result sink, its reply) counts them here, and from here they reach the pool's metrics, the job's
/// activity (its trace) and its progress reports (<see cref="JobOptions.Progress"/>), if it asked for any.
/// </summary>
/// <remarks>
/// Counting is interlocked adds, safe from an actor and from any thread. <see cref="End"/> takes
/// effect once: the job's first ending is the one recorded.
/// </remarks>
internal sealed class JobTally : ILiveJob
{
    private readonly PoolTelemetry _pool;
    private readonly Activity? _activity;
    private long _submitted;
    private long _completed;
    private long _failed;
    private long _restored;
    private long _total = -1; // unknown
    private int _state; // a JobState

    /// <summary>Starts the tally, and the job's activity if a listener samples it, as a child of the caller's current activity.</summary>
    /// <param name="pool">The pool's telemetry.</param>
    /// <param name="kind">The job's kind, as its activity is named: <c>map</c>, <c>starmap</c>, <c>imap</c>, <c>imap_unordered</c> or <c>apply</c>.</param>
    public JobTally(PoolTelemetry pool, string kind)
    {
        _pool = pool;
        Kind = kind;
        if (PoolInstruments.Source.HasListeners())
        {
            // The job's activity lives as long as the job, not as the call that submitted it: the
            // caller's current activity stays what it was.
            _activity = ListenerGuard.Start(() => PoolInstruments.Source.StartActivity("actorpool." + kind, ActivityKind.Internal), current: false);
            _activity?.SetTag(PoolInstruments.PoolTag, pool.Name);
        }
    }

    /// <summary>The job's kind (<see cref="JobKind"/>).</summary>
    public string Kind { get; }

    /// <summary>The job's id in its pool, once registered; 0 before.</summary>
    public long Id { get; private set; }

    /// <summary>When the job ended (<see cref="Stopwatch.GetTimestamp"/>); 0 while it runs.</summary>
    public long Ended => Interlocked.Read(ref _ended);

    private long _ended;

    /// <summary>The job as people read it: its kind and id.</summary>
    public string Describe() => JobKind.Describe(Kind, Id);

    /// <summary>What the job has come to so far, or came to.</summary>
    public JobSnapshot Snapshot() => new(Id, Kind, Completed, Failed, Total < 0 ? null : Total, State, Retries,
        Stopwatch.GetElapsedTime(Started, Ended is var ended and > 0 ? ended : Stopwatch.GetTimestamp()));

    /// <summary>When the job was submitted (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long Started { get; } = Stopwatch.GetTimestamp();

    /// <summary>The job's progress reports, if it asked for them (<see cref="JobOptions.Progress"/>).</summary>
    public ProgressTracker? Progress { get; private set; }

    /// <summary>The job's trace context, which its chunks run under, here and on other nodes; default when nobody traces it.</summary>
    public ActivityContext Trace => _activity?.Context ?? default;

    public long Completed => Interlocked.Read(ref _completed);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The job's items; -1 while unknown (a lazy input not read to its end).</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Items restored from a journal: completed, but in no time.</summary>
    public long Restored => Interlocked.Read(ref _restored);

    public JobState State => (JobState)Volatile.Read(ref _state);

    /// <summary>Items submitted to workers and not finished yet.</summary>
    public long Pending => Math.Max(0, Interlocked.Read(ref _submitted) - (Completed - Restored) - Failed);

    /// <summary>Makes the job report its progress, if <paramref name="options"/> ask for it; returns this tally.</summary>
    public JobTally ReportingTo(JobOptions? options, JobRegistry registry, Action<Exception> reportFailure)
    {
        Progress = ProgressTracker.For(options, registry, reportFailure, this);
        return this;
    }

    /// <summary>
    /// Registers <paramref name="job"/>, this tally's, with <paramref name="registry"/>, and returns
    /// its id: from now on it is in progress, until <see cref="End"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pool is not running: the job ends, failed, before it began.</exception>
    public long Register(JobRegistry registry, IJob job)
    {
        if (!TryRegister(registry, job, out var id))
            throw registry.NotRunning();
        return id;
    }

    /// <summary>As <see cref="Register"/>, but false when the pool is not running.</summary>
    public bool TryRegister(JobRegistry registry, IJob job, out long id)
    {
        if (!registry.TryRegister(job, out id))
        {
            End(JobState.Failed);
            return false;
        }
        Id = id;
        _activity?.SetTag("actorpool.job.id", id);
        _pool.JobBegan(this);
        if (State != JobState.Running)
            _pool.JobEnded(this, null); // it ended (the pool was terminated) between its registration and here
        return true;
    }

    /// <summary>
    /// Marks <paramref name="work"/>, a chunk of this job about to be sent, with what its worker
    /// reports back for the pool's telemetry: the job's trace context, and whether to time the
    /// chunk (only while its histogram has a listener, so that nobody listening costs no clock
    /// reads). Returns the work.
    /// </summary>
    public ChunkWork Stamp(ChunkWork work)
    {
        work.Trace = Trace;
        work.MeasureRunTime = PoolInstruments.ChunkDuration.Enabled;
        return work;
    }

    /// <summary><paramref name="items"/> more items were sent to the workers.</summary>
    public void Submitted(long items) => Interlocked.Add(ref _submitted, items);

    /// <summary>A chunk's result came back: its items succeeded or failed, it ran for as long as it says (if it was timed), its items were retried as often as it says.</summary>
    public void Chunk<TResult>(ChunkResult<TResult> result)
    {
        if (result.RunTime is { } ran)
            _pool.ChunkRan(ran);
        if (result.Retries > 0)
        {
            Interlocked.Add(ref _retries, result.Retries);
            _pool.Retried(this, result.ChunkIndex, result.Retries);
        }
        var failed = result.Failures?.Length ?? 0;
        Add(result.Values.Count - failed, failed, result.FirstError);
    }

    /// <summary>How many times the job's items were run again after a failure, in the chunks that came back.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    private long _retries;

    /// <summary>More items have succeeded or failed; <paramref name="error"/> is the first failed item's, if any.</summary>
    public void Add(long completed, long failed, Exception? error = null)
    {
        if (completed != 0)
            Interlocked.Add(ref _completed, completed);
        if (failed != 0)
            Interlocked.Add(ref _failed, failed);
        _pool.Finished(this, completed, failed, error);
        Progress?.Counted();
    }

    /// <summary><paramref name="items"/> items were restored from a journal: they count as completed, not as finished work.</summary>
    public void Restore(long items)
    {
        Interlocked.Add(ref _restored, items);
        Interlocked.Add(ref _completed, items);
        Progress?.Counted();
    }

    /// <summary>The job has <paramref name="total"/> items (a lazy input was read to its end).</summary>
    public void SetTotal(long total) => Interlocked.Exchange(ref _total, total);

    /// <summary>The job has ended, as <paramref name="state"/> says; only the first call counts.</summary>
    public void End(JobState state, Exception? error = null)
    {
        if (Interlocked.CompareExchange(ref _state, (int)state, (int)JobState.Running) != (int)JobState.Running)
            return;
        Interlocked.Exchange(ref _ended, Stopwatch.GetTimestamp());
        _pool.JobEnded(this, error);
        if (_activity is null)
            return;
        _activity.SetTag("actorpool.job.completed", Completed);
        _activity.SetTag("actorpool.job.failed", Failed);
        if (state == JobState.Failed)
            _activity.SetStatus(ActivityStatusCode.Error, error is null ? null : UserText.MessageOf(error));
        else if (state == JobState.Cancelled)
            _activity.SetTag("actorpool.job.cancelled", true);
        ListenerGuard.Stop(_activity);
    }

    /// <summary>How a job that ended with <paramref name="error"/> (null for none) ended.</summary>
    public static JobState StateOf(Exception? error) => error switch
    {
        null => JobState.Finished,
        OperationCanceledException => JobState.Cancelled,
        _ => JobState.Failed,
    };
}
