using System.Diagnostics;
using ActorPool.Lifecycle;
using ActorPool.Protocol;

namespace ActorPool.Coordination;

/// <summary>
/// A job's progress for <see cref="JobOptions.Progress"/>: its <see cref="JobTally"/>'s counts,
/// reported on the thread pool every <see cref="ReportInterval"/> while they change, and a last
/// time when the job ends.
/// </summary>
/// <remarks>
/// Reports form a chain of continuations, so they never overlap and the last one runs after every
/// other; the lock only guards the chain, never a call to user code. At most one periodic report
/// waits in the chain, and it reads the counts when it runs: a slow handler gets fewer, fresher
/// reports instead of a growing queue of stale ones. The timer starts with the first count, so a
/// job refused at submission leaves none.
/// </remarks>
internal sealed class ProgressTracker
{
    /// <summary>How often counts that changed are reported.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(250);

    private readonly IProgress<JobProgress> _progress;
    private readonly JobRegistry _registry;
    private readonly Action<Exception> _reportFailure;
    private readonly JobTally _tally;
    private readonly object _gate = new();
    private Timer? _timer; // under _gate
    private bool _periodicWaiting; // under _gate: a periodic report is in the chain and has not read the counts yet
    private (long Completed, long Failed, long Total) _reported = (0, 0, -1); // under _gate
    private Task _reports = Task.CompletedTask; // under _gate
    private bool _finished; // under _gate

    private ProgressTracker(IProgress<JobProgress> progress, JobRegistry registry, Action<Exception> reportFailure, JobTally tally)
    {
        _tally = tally;
        _progress = progress;
        _registry = registry;
        _reportFailure = reportFailure;
    }

    /// <summary>A tracker for a job with <paramref name="options"/>; null when it reports no progress.</summary>
    /// <param name="options">The job's options.</param>
    /// <param name="registry">The pool's registry: a report must not wait on its own pool.</param>
    /// <param name="reportFailure">Logs what a report threw.</param>
    /// <param name="tally">The job's counts, which the reports read.</param>
    public static ProgressTracker? For(JobOptions? options, JobRegistry registry, Action<Exception> reportFailure, JobTally tally) =>
        options?.Progress is { } progress ? new ProgressTracker(progress, registry, reportFailure, tally) : null;

    /// <summary>The job's counts have changed.</summary>
    public void Counted()
    {
        if (Volatile.Read(ref _timer) is null)
            StartTimer();
    }

    private void StartTimer()
    {
        lock (_gate)
        {
            if (_timer is null && !_finished)
                _timer = new Timer(static tracker => ((ProgressTracker)tracker!).Tick(), this, ReportInterval, ReportInterval);
        }
    }

    /// <summary>
    /// The job has ended: reports a last time, counting the items that never completed as failed,
    /// and returns a task that completes once that report has been made. Idempotent.
    /// </summary>
    public Task Finish()
    {
        lock (_gate)
        {
            if (_finished)
                return _reports;
            _finished = true;
            _timer?.Dispose();
            var (completed, failed, total) = Counts();
            total = Math.Max(total, completed + failed); // unknown (-1), or fewer than counted: what was seen
            Enqueue(new JobProgress(completed, total - completed, total, Elapsed, TimeSpan.Zero));
            return _reports;
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_finished || _periodicWaiting || Counts() == _reported)
                return;
            _periodicWaiting = true;
            _reports = _reports.ContinueWith(_ => ReportLatest(), CancellationToken.None, TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default);
        }
    }

    /// <summary>A periodic report: the counts as they are when it runs.</summary>
    private void ReportLatest()
    {
        JobProgress progress;
        lock (_gate)
        {
            _periodicWaiting = false;
            if (_finished)
                return; // the last report, already in the chain behind this one, says it all
            var counts = _reported = Counts();
            var (completed, failed, total) = counts;
            var elapsed = Elapsed;
            var done = completed + failed;
            var ran = done - _tally.Restored;
            TimeSpan? remaining = total >= done && ran > 0 ? elapsed * ((double)(total - done) / ran) : null;
            progress = new JobProgress(completed, failed, total >= 0 ? total : null, elapsed, remaining);
        }
        Report(progress);
    }

    private (long Completed, long Failed, long Total) Counts() => (_tally.Completed, _tally.Failed, _tally.Total);

    private TimeSpan Elapsed => Stopwatch.GetElapsedTime(_tally.Started);

    /// <summary>Chains one report after the last; called under the gate, and the report itself runs outside it.</summary>
    private void Enqueue(JobProgress progress) =>
        _reports = _reports.ContinueWith(_ => Report(progress), CancellationToken.None, TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default);

    private void Report(JobProgress progress)
    {
        try
        {
            using (OwnPool.Enter(_registry))
                _progress.Report(progress);
        }
        catch (Exception ex)
        {
            _reportFailure(ex);
        }
    }
}
