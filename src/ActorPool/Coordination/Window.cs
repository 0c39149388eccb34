namespace ActorPool.Coordination;

/// <summary>
/// Bounds the chunks of a streamed job that have been read from the input but not yet taken by
/// the consumer, which is what keeps IMap's memory bounded on an endless input. The feeder takes a
/// slot per chunk and blocks when none is free; the consumer frees a slot per chunk it finishes.
/// </summary>
/// <remarks>
/// A blocked feeder wakes only when half the window is free again, not at every freed slot, so a
/// consumer slower than the workers costs one wake-up per half window instead of one per chunk.
/// </remarks>
internal sealed class Window
{
    private readonly object _gate = new();
    private readonly int _capacity;
    private readonly int _resumeAt;
    private int _inFlight;
    private bool _lifted;
    private bool _feederWaiting;

    public Window(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _resumeAt = capacity / 2;
    }

    /// <summary>Takes a slot, blocking while the window is full. False once <paramref name="cancellationToken"/> is cancelled.</summary>
    public bool Acquire(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_lifted || _inFlight < _capacity)
            {
                _inFlight++;
                return !cancellationToken.IsCancellationRequested;
            }
        }
        // The registration is made and disposed outside the lock: disposing it waits for a callback
        // that is running, and that callback needs the lock to wake this thread.
        using (cancellationToken.Register(Wake))
        {
            lock (_gate)
            {
                while (!_lifted && _inFlight > _resumeAt)
                {
                    if (cancellationToken.IsCancellationRequested)
                        return false;
                    _feederWaiting = true;
                    Monitor.Wait(_gate);
                }
                _inFlight++;
                return !cancellationToken.IsCancellationRequested;
            }
        }
    }

    private void Wake()
    {
        lock (_gate)
            Monitor.PulseAll(_gate);
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
        }
    }

    /// <summary>Whether the feeder is blocked waiting for room (for tests).</summary>
    internal bool FeederWaiting
    {
        get { lock (_gate) return _feederWaiting; }
    }

    /// <summary>Removes the bound for good (the pool is closing and Join must not wait on a consumer).</summary>
    public void Lift()
    {
        lock (_gate)
        {
            _lifted = true;
            Monitor.PulseAll(_gate);
        }
    }
}
