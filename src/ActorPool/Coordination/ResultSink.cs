using System.Threading.Channels;
using ActorPool.Lifecycle;
using ActorPool.Observability;
using ActorPool.Protocol;

namespace ActorPool.Coordination;

/// <summary>
/// Where a streamed job's outcomes wait for the consumer: written by the job's coordinator, read
/// by its <see cref="PoolIterator{T}"/>. It is the job as the registry sees it, and it ends exactly
/// once: completed by the coordinator, cancelled by the consumer, or aborted by Terminate.
/// </summary>
internal sealed class ResultSink<T> : IJob
{
    // Unbounded because the coordinator is an actor and must never block; the window, which stops
    // the feeder reading input, is what bounds what can be buffered here.
    private readonly Channel<ItemOutcome<T>> _channel =
        Channel.CreateUnbounded<ItemOutcome<T>>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly CancellationTokenSource _stop = new();
    private readonly JobRegistry _registry;
    private CancellationLink? _cancellation; // only for a job with a token that can be cancelled
    private int _ended;
    private JobState _endedAs = JobState.Finished;
    private Exception? _endedWith;

    /// <exception cref="InvalidOperationException">The pool is not running.</exception>
    public ResultSink(JobRegistry registry, Window window, JobTally tally)
    {
        _registry = registry;
        Window = window;
        Tally = tally;
        JobId = tally.Register(registry, this);
    }

    /// <summary>The job's counts.</summary>
    public JobTally Tally { get; }

    public long JobId { get; }

    /// <summary>The pool's registry: the pool's own tasks and callbacks must not wait on this job.</summary>
    public JobRegistry Registry => _registry;

    public Window Window { get; }

    public ChannelReader<ItemOutcome<T>> Reader => _channel.Reader;

    /// <summary>Cancelled when the job ends early (consumer left, or the pool was terminated): the feeder stops.</summary>
    public CancellationToken Stopped => _stop.Token;

    /// <summary>Writes a chunk's outcomes for the consumer (a broken input's failure comes as a chunk of one item).</summary>
    public void WriteChunk(ChunkResult<T> result)
    {
        // Counted first: a consumer that has read an item finds it counted (metrics, progress, the board).
        Tally.Chunk(result);
        var (values, failures) = (result.Values, result.Failures);
        var writer = _channel.Writer;
        var nextFailure = 0;
        for (var i = 0; i < values.Count; i++)
        {
            Exception? error = null;
            if (failures is not null && nextFailure < failures.Length && failures[nextFailure].Index == i)
                error = failures[nextFailure++].Error;
            writer.TryWrite(new ItemOutcome<T>(values[i], error, EndsChunk: i == values.Count - 1));
        }
    }

    /// <summary>The input has ended: the job has <paramref name="items"/> items, the failure of a broken input counted as one.</summary>
    public void SetTotal(long items) => Tally.SetTotal(items);

    /// <summary>Every item has been written.</summary>
    public void Complete()
    {
        if (TryEnd())
            Close();
    }

    /// <summary>The consumer disposed its iterator: stop reading input and drop pending work.</summary>
    public void Cancel()
    {
        if (!TryEnd())
            return;
        _endedAs = JobState.Cancelled;
        _stop.Cancel();
        Close();
    }

    public void Abort(Exception reason) => TryAbort(reason);

    /// <summary>
    /// Cancelling <paramref name="token"/> ends the job with <see cref="OperationCanceledException"/>,
    /// which the consumer's next read throws, then asks <paramref name="cancelJob"/> to stop its work.
    /// </summary>
    public void CancelWith(CancellationToken token, Action<long> cancelJob)
    {
        if (token.CanBeCanceled)
            CancellationLink.Link(ref _cancellation, ref _ended, token, OnCancel(token, cancelJob));
    }

    private Action OnCancel(CancellationToken token, Action<long> cancelJob) =>
        () =>
        {
            if (TryAbort(CancellationLink.Cancelled(token), overtakesBuffered: true))
                cancelJob(JobId);
        };

    /// <summary>
    /// Set when the caller cancelled the job: the consumer's next read throws it, ahead of any result
    /// still buffered, so that a slow consumer learns of the cancellation at once.
    /// </summary>
    public Exception? CancelledWith => Volatile.Read(ref _cancelledWith);

    private Exception? _cancelledWith;

    private bool TryAbort(Exception reason, bool overtakesBuffered = false)
    {
        if (!TryEnd())
            return false;
        if (overtakesBuffered)
            Volatile.Write(ref _cancelledWith, reason);
        (_endedAs, _endedWith) = (JobTally.StateOf(reason), reason);
        _stop.Cancel();
        // The consumer meets the reason at the next position it has not read yet, then the end.
        _channel.Writer.TryWrite(new ItemOutcome<T>(default!, reason, EndsChunk: false));
        Close();
        return true;
    }

    public void OnJoin() => Window.Lift();

    private bool TryEnd()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
            return false;
        Volatile.Read(ref _cancellation)?.End();
        return true;
    }

    /// <summary>Ends the stream for the consumer and the job for the registry, after the last progress report if there is one.</summary>
    private void Close()
    {
        if (Tally.Progress is not { } progress)
        {
            CloseNow();
            return;
        }
        progress.Finish().ContinueWith(_ => CloseNow(), CancellationToken.None, TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default);
    }

    private void CloseNow()
    {
        // A job whose items failed is a failed job, even if its consumer met every failure and went on.
        Tally.End(_endedAs == JobState.Finished && Tally.Failed > 0 ? JobState.Failed : _endedAs, _endedWith);
        _channel.Writer.TryComplete();
        _registry.Complete(JobId);
    }
}
