using System.Diagnostics;
using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Workers;

/// <summary>
/// A worker's results on their way back: results of consecutive chunks for one reply address go
/// as one <see cref="ChunkResults"/> message, the way work comes out in batches, and results for
/// reply addresses in another process go through that process's router as one
/// <see cref="RoutedResults"/>. A worker that runs many tiny chunks sends one message per flush
/// instead of one per chunk.
/// </summary>
/// <remarks>
/// <para>A result waits only while results come faster than one per <see cref="Hold"/>, and not
/// much longer than that (the timer's resolution and a busy thread pool permitting): a result that
/// comes a hold or more after the last message sent goes at once, the first after a quiet spell
/// among them, unless it is its batch's last, which goes with the batch's end, at once too
/// (<see cref="FlushEnding"/>). Held results go when the reply address changes, when
/// <see cref="MaxResults"/> or <see cref="ChunkWork.MaxWireBytes"/> would be passed, when the
/// worker has nothing else to run (the end of its batch) or restarts, and when the hold runs out.
/// The last is a timer's job, because the worker's thread may by then be inside a long task.</para>
/// <para>The worker's thread and the timer's share the buffer under a lock, and send under it, so
/// that messages leave in the order their results were added. Sending is a Tell: it never blocks
/// and runs no user code. At a batch's end in process it may run the work-pulling router on this
/// thread (<see cref="Threads.SenderThreadExecutor"/>), which takes only brief locks of its own;
/// the timer waits for the gate meanwhile, with nothing held to send.</para>
/// </remarks>
internal sealed class ReplyBuffer : IDisposable
{
    /// <summary>At most this many results travel in one message.</summary>
    public const int MaxResults = 64;

    /// <summary>How long a result may wait for others when results come fast.</summary>
    public static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(1);

    private readonly object _gate = new();
    private readonly Action<IActorRef, object> _send;
    private readonly Func<long> _now;
    private readonly long _holdTicks;
    private readonly Timer? _timer;
    private readonly List<(IActorRef ReplyTo, object Result)> _held = new();
    private IActorRef? _route; // where the held results go: their reply address, or the router they go through
    private bool _routed;
    private long _heldBytes;
    private long _lastSent;
    private bool _timerArmed;

    /// <param name="send">Sends a message to a reply address.</param>
    /// <param name="now">The clock, in <see cref="Stopwatch"/> ticks; null for <see cref="Stopwatch.GetTimestamp"/>.</param>
    /// <param name="timer">False for no timer: held results then wait for <see cref="FlushIfDue"/> to be called (tests).</param>
    /// <param name="onTimerError">Told of an exception thrown while the timer sent results (it must not end the process on a timer thread); null to ignore it.</param>
    public ReplyBuffer(Action<IActorRef, object> send, Func<long>? now = null, bool timer = true, Action<Exception>? onTimerError = null)
    {
        _send = send;
        _now = now ?? Stopwatch.GetTimestamp;
        _holdTicks = (long)(Hold.TotalSeconds * Stopwatch.Frequency);
        _lastSent = _now() - _holdTicks; // quiet until now: the first result goes at once
        if (timer)
            _timer = new Timer(_ =>
            {
                try
                {
                    FlushIfDue();
                }
                catch (Exception ex)
                {
                    onTimerError?.Invoke(ex);
                }
            }, null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Results held, not sent yet.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _held.Count;
        }
    }

    /// <summary>
    /// Takes the result of a chunk for <paramref name="replyTo"/>; sends it, with those held, or
    /// holds it. With <paramref name="via"/>, the result goes through that router, in a
    /// <see cref="RoutedResults"/> with the other results held for its process. The
    /// <paramref name="last"/> result of a batch is held for <see cref="FlushEnding"/>, which its
    /// worker calls next, so that it goes with the batch's end.
    /// </summary>
    public void Add(IActorRef replyTo, object result, IActorRef? via = null, bool last = false)
    {
        var bytes = result is IWireSized sized ? sized.WireBytes : 0;
        var route = via ?? replyTo;
        var routed = via is not null;
        lock (_gate)
        {
            if (_held.Count > 0 && (routed != _routed || !ActorRefComparer.Instance.Equals(route, _route) || _heldBytes + bytes > ChunkWork.MaxWireBytes))
                FlushHeld();
            _route = route;
            _routed = routed;
            _held.Add((replyTo, result));
            _heldBytes += bytes;
            if (_held.Count >= MaxResults || (!last && _now() - _lastSent >= _holdTicks))
            {
                FlushHeld();
            }
            else if (!last && !_timerArmed && _timer is not null) // the last goes with FlushEnding, next: no timer to wake for it
            {
                // Armed once per hold, not per result; a flush before it fires leaves it armed,
                // and then it only sends what is held by then a little early.
                _timerArmed = true;
                _timer.Change(Hold, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Sends what is held, if anything.</summary>
    public void Flush()
    {
        lock (_gate)
            FlushHeld();
    }

    /// <summary>
    /// The worker has nothing else to run: sends what is held, and <paramref name="done"/> to
    /// <paramref name="router"/> after it, in the same message when the results held go through
    /// that router (<see cref="RoutedResults.Done"/>), in its own otherwise.
    /// </summary>
    public void FlushEnding(IActorRef router, BatchDone done)
    {
        lock (_gate)
        {
            if (_held.Count > 0 && _routed && ActorRefComparer.Instance.Equals(_route, router))
            {
                FlushHeld(done);
                return;
            }
            FlushHeld();
            _send(router, done);
        }
    }

    /// <summary>The hold has run out: sends what is held. Called by the timer.</summary>
    public void FlushIfDue()
    {
        lock (_gate)
        {
            _timerArmed = false;
            FlushHeld();
        }
    }

    /// <summary>Sends what is held and stops the timer.</summary>
    public void Dispose()
    {
        Flush();
        _timer?.Dispose();
    }

    /// <summary>Sends what is held, with <paramref name="done"/> if they are routed results (<see cref="FlushEnding"/>).</summary>
    private void FlushHeld(BatchDone? done = null)
    {
        if (_held.Count == 0)
            return;
        object message;
        if (_routed)
            message = new RoutedResults(_held.Select(h => h.ReplyTo).ToArray(), _held.Select(h => h.Result).ToArray(), done);
        else
            message = _held.Count == 1 ? _held[0].Result : new ChunkResults(_held.Select(h => h.Result).ToArray());
        var route = _route!;
        _held.Clear();
        _heldBytes = 0;
        _route = null;
        _lastSent = _now();
        _send(route, message);
    }
}
