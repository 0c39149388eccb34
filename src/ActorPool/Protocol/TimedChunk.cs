using System.Diagnostics;

namespace ActorPool.Protocol;

/// <summary>
/// One chunk's items run under a timeout (<see cref="JobOptions.TaskTimeout"/>): the worker's
/// <see cref="TaskRunner"/> runs them in order, each attempt with a token of its own, while the
/// worker's thread, in <see cref="Run"/>, watches the running attempt's deadline. At the deadline
/// the attempt fails with <see cref="TimeoutException"/> (and is retried, under the job's rules),
/// its token is cancelled, and its runner is abandoned: a fresh one goes on from there.
/// </summary>
/// <remarks>
/// An attempt's outcome belongs to whichever side settles it first (<see cref="Attempt.TrySettle"/>):
/// the runner when the function returns or throws, the watcher at the deadline. A runner that
/// loses keeps nothing: it writes no value and no failure, and its thread ends. So no result is
/// written twice, and none after the worker has moved on. A cancelled job's running attempt sees
/// its token and is left its deadline, like any other; the runner runs no further item of it. One
/// runner at a time owns the chunk's values and failures: the watcher starts the next only once it
/// has settled the last one's attempt, and reads the failures only after the runner has set
/// <see cref="_done"/>, which no abandoned runner touches.
/// </remarks>
internal abstract class TimedChunk
{
    private readonly TaskRules _rules;
    private readonly TimeSpan _timeout;
    private readonly TaskCancellation? _cancellation;
    private readonly long _jobId;
    private readonly long _chunkIndex;
    private readonly CancellationToken _jobToken;
    private readonly ManualResetEventSlim _done = new();
    private Attempt? _current;
    private List<ItemFailure>? _failures;
    private int _retries; // by whichever runner thread runs the chunk at the time
    private static int s_leftRunning;

    /// <param name="count">Items in the chunk.</param>
    /// <param name="rules">The job's rules: retries of a failed or timed-out attempt.</param>
    /// <param name="timeout">The longest an attempt may run.</param>
    /// <param name="scope">The worker's scope: the chunk's job, and its token, which is made here, on the worker's thread.</param>
    protected TimedChunk(int count, TaskRules rules, TimeSpan timeout, TaskScope scope)
    {
        Count = count;
        _rules = rules;
        _timeout = timeout;
        _cancellation = scope.Cancellation;
        _jobId = scope.JobId;
        _chunkIndex = scope.ChunkIndex;
        _jobToken = scope.Token;
        Initializer = scope.Initializer;
    }

    /// <summary>The initializer of the chunk's pool, which a runner's thread runs before its first item of that pool; null for none.</summary>
    public Action? Initializer { get; }

    /// <summary>Where a runner starts: an item, its attempt, and that attempt's failure if it has one already (it timed out), to act on first.</summary>
    public readonly record struct Start(int Item, int Attempt, Exception? Failure);

    /// <summary>Attempts that timed out and were left to end alone in this process, and have not ended yet.</summary>
    public static int LeftRunning => Volatile.Read(ref s_leftRunning);

    /// <summary>An attempt that timed out was left to end alone; <see cref="LeftEnded"/> when it ends.</summary>
    public static void LeftAlone() => Interlocked.Increment(ref s_leftRunning);

    /// <summary>An attempt left to end alone has ended.</summary>
    public static void LeftEnded() => Interlocked.Decrement(ref s_leftRunning);

    /// <summary>Items in the chunk.</summary>
    protected int Count { get; }

    /// <summary>Runs the chunk on the worker's runner, replacing it whenever an attempt is settled by the watcher; returns the items that failed, in index order.</summary>
    public List<ItemFailure>? Run(TaskScope worker)
    {
        var from = new Start(0, 1, null);
        while (true)
        {
            worker.Runner.Run(this, from);
            if (Watch() is not { } late)
                break;
            // The runner's thread is left to its item (and counted until it ends: TaskRunner); the
            // attempt's token is cancelled, its callbacks run on the thread pool.
            worker.AbandonRunner();
            LeftAlone();
            _ = late.Source.CancelAsync();
            from = new Start(late.Item, late.Number, _rules.TimedOut());
        }
        _done.Dispose();
        worker.Retries += Volatile.Read(ref _retries);
        return _failures;
    }

    /// <summary>Waits until the runner is done (null), or until the running attempt passes its deadline and the watcher settles it (that attempt).</summary>
    private Attempt? Watch()
    {
        while (true)
        {
            var attempt = Volatile.Read(ref _current);
            // Between attempts (a retry's delay, or none started yet), a whole timeout is waited:
            // an attempt that starts meanwhile has its deadline later than the wake-up.
            var left = attempt is { IsRunning: true } ? _timeout - Stopwatch.GetElapsedTime(attempt.Started) : _timeout;
            if (left > TimeSpan.Zero)
            {
                if (_done.Wait(left))
                    return null;
                continue;
            }
            if (attempt!.TrySettle())
                return attempt;
            // The function returned just now: watch what comes next.
        }
    }

    /// <summary>On the runner's thread: runs items from <paramref name="from"/> on; false if the watcher took over meanwhile, and this thread must end.</summary>
    /// <param name="scope">The runner thread's scope, which each attempt enters.</param>
    /// <param name="from">The item to start at, its attempt, and that attempt's failure if it already has one.</param>
    /// <param name="initializerFailure">What the runner's initializer threw, which every item fails with; null if it ran.</param>
    public bool RunOn(TaskScope scope, Start from, Exception? initializerFailure)
    {
        var (item, attempt, failure) = from;
        while (item < Count)
        {
            if (failure is null)
            {
                if (_cancellation is not null && _cancellation.IsCancelled(_jobId, _chunkIndex))
                {
                    _failures = ItemFailure.Unrun(_failures, item, Count);
                    break;
                }
                if (initializerFailure is not null)
                {
                    (_failures ??= new List<ItemFailure>()).Add(new ItemFailure(item++, initializerFailure));
                    continue;
                }
                var run = new Attempt(item, attempt, CancellationTokenSource.CreateLinkedTokenSource(_jobToken));
                Volatile.Write(ref _current, run);
                scope.BeginAttempt(_cancellation, _jobId, run.Source.Token, attempt);
                bool owned;
                try
                {
                    failure = RunItem(item, run, out owned);
                }
                finally
                {
                    scope.End();
                }
                if (!owned)
                    return false;
                run.Source.Dispose(); // settled here: nobody cancels it any more, and it leaves the job's token
                if (failure is null)
                {
                    (item, attempt) = (item + 1, 1);
                    continue;
                }
            }
            // The attempt failed: run the item again if the rules say so, or record its failure.
            var reported = failure;
            if (attempt <= _rules.Retries && !_rules.Refuses(failure, out reported) && TaskRules.Wait(_jobToken, _rules.DelayBefore(attempt)))
            {
                Interlocked.Increment(ref _retries);
                (attempt, failure) = (attempt + 1, null);
                continue;
            }
            (_failures ??= new List<ItemFailure>()).Add(new ItemFailure(item, reported));
            (item, attempt, failure) = (item + 1, 1, null);
        }
        Volatile.Write(ref _current, null);
        _done.Set();
        return true;
    }

    /// <summary>Runs one attempt of item <paramref name="index"/>; stores its value only if this side settled it (<paramref name="owned"/>). Returns what it threw, or null.</summary>
    protected abstract Exception? RunItem(int index, Attempt attempt, out bool owned);

    /// <summary>One attempt of one item: when it started, its token's source, and who settled it.</summary>
    protected internal sealed class Attempt(int item, int number, CancellationTokenSource source)
    {
        private int _settled;

        public int Item { get; } = item;

        public int Number { get; } = number;

        public long Started { get; } = Stopwatch.GetTimestamp();

        public CancellationTokenSource Source { get; } = source;

        public bool IsRunning => Volatile.Read(ref _settled) == 0;

        /// <summary>Claims the attempt's outcome; true for the first caller only.</summary>
        public bool TrySettle() => Interlocked.Exchange(ref _settled, 1) == 0;
    }
}

/// <inheritdoc />
internal sealed class TimedChunk<TResult>(ChunkWork<TResult> work, TResult[] values, int start, TaskRules rules, TimeSpan timeout, TaskScope scope)
    : TimedChunk(work.Count, rules, timeout, scope)
{
    protected override Exception? RunItem(int index, Attempt attempt, out bool owned)
    {
        TResult value;
        try
        {
            value = work.InvokeItem(index);
        }
        catch (Exception ex)
        {
            owned = attempt.TrySettle();
            return ex;
        }
        owned = attempt.TrySettle();
        if (owned)
            values[start + index] = value;
        return null;
    }
}
