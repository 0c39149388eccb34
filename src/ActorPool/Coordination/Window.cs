using System.Diagnostics;

namespace ActorPool.Coordination;

/// <summary>
/// Bounds the chunks of a streamed job that have been read from the input but not yet taken by
/// the consumer, which is what keeps IMap's memory bounded on an endless input. The feeder takes a
/// slot per chunk and blocks when none is free; the consumer frees a slot per chunk it finishes.
/// </summary>
/// <remarks>
/// A refused feeder gets a slot again only when half the window is free, not at every freed slot,
/// so a consumer slower than the workers costs one wake-up per half window instead of one per
/// chunk. Whether the feeder must wait is decided by <see cref="TryAcquire"/> alone;
/// <see cref="Acquire"/> only blocks until that decision changes.
/// </remarks>
internal sealed class Window
{
    private readonly object _gate = new();
    private readonly int _capacity;
    private readonly int _resumeAt;
    private int _inFlight;
    private bool _lifted;

    // Set when the feeder is refused a slot, cleared when half the window is free again (or the
    // bound is lifted): while it is set the feeder is waiting, or about to, and Release must wake it.
    private bool _feederWaiting;

    public Window(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _resumeAt = capacity / 2;
    }

    /// <summary>
    /// Takes a slot if the feeder may have one now, without blocking. A refusal marks the feeder as
    /// waiting, and a waiting feeder is refused until at most half the window is in flight.
    /// </summary>
    /// <returns>True if a slot was taken; false if the feeder must wait.</returns>
    public bool TryAcquire()
    {
        lock (_gate)
            return TryAcquireLocked();
    }

    /// <summary>Takes a slot, blocking while the feeder must wait. False once <paramref name="cancellationToken"/> is cancelled.</summary>
    public bool Acquire(CancellationToken cancellationToken)
    {
        if (TryAcquire())
            return !cancellationToken.IsCancellationRequested;
        // The registration is made and disposed outside the lock: disposing it waits for a callback
        // that is running, and that callback needs the lock to wake this thread. Whatever happened
        // between the refusal above and taking the lock again (a release, Lift, a cancellation) is
        // seen by the checks below before the thread waits, so no wake-up is lost.
        using (cancellationToken.Register(Wake))
        {
            lock (_gate)
            {
                while (!TryAcquireLocked())
                {
                    if (cancellationToken.IsCancellationRequested)
                        return false;
                    Monitor.Wait(_gate);
                }
                return !cancellationToken.IsCancellationRequested;
            }
        }
    }

    /// <summary>The consumer has taken every item of one chunk.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _inFlight--;
            if (_feederWaiting && _inFlight <= _resumeAt)
            {
                _feederWaiting = false;
                Monitor.PulseAll(_gate);
            }
            AssertInvariants();
        }
    }

    /// <summary>Removes the bound for good (the pool is closing and Join must not wait on a consumer).</summary>
    public void Lift()
    {
        lock (_gate)
        {
            _lifted = true;
            _feederWaiting = false;
            Monitor.PulseAll(_gate);
            AssertInvariants();
        }
    }

    private void Wake()
    {
        lock (_gate)
            Monitor.PulseAll(_gate);
    }

    /// <summary>The decision, under the lock: a slot is taken, or the feeder is marked as waiting.</summary>
    private bool TryAcquireLocked()
    {
        // A waiting feeder stays refused: Release clears the mark once half the window is free.
        var free = _lifted || (!_feederWaiting && _inFlight < _capacity);
        if (free)
            _inFlight++;
        else
            _feederWaiting = true;
        AssertInvariants();
        return free;
    }

    /// <summary>Checks the window's invariants at the end of each change of its state (debug builds only).</summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_gate), "The window's state is changed only under its lock.");
        Debug.Assert(0 <= _resumeAt && _resumeAt < _capacity, "The feeder resumes below the bound.");
        // The consumer frees only slots that the feeder took, one per chunk it finishes.
        Debug.Assert(_inFlight >= 0, "More slots were released than taken.");
        Debug.Assert(_lifted || _inFlight <= _capacity, "More slots are taken than the bound allows.");
        // Release clears the flag when the window drops to the threshold, and Lift clears it for good.
        Debug.Assert(!_feederWaiting || (!_lifted && _inFlight > _resumeAt), "The feeder is marked as waiting although it may take a slot.");
    }
}
