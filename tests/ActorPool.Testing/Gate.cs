namespace ActorPool.Testing;

/// <summary>
/// A latch that user functions in tests block on, so a test controls when a task may finish
/// without ever sleeping. Every wait has a generous safety limit, so a broken pool fails the test
/// instead of hanging the suite.
/// </summary>
public sealed class Gate
{
    /// <summary>The safety limit of every wait on a gate or a signal.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly ManualResetEventSlim _open = new(false);

    /// <summary>Lets every task waiting at the gate, and every later one, pass.</summary>
    public void Open() => _open.Set();

    /// <summary>Blocks until the gate opens; throws if it never does within <see cref="Limit"/>.</summary>
    public void Pass()
    {
        if (!_open.Wait(Limit))
            throw new TimeoutException("The test gate never opened.");
    }
}

/// <summary>A latch a test waits on for something that happens on a worker.</summary>
public sealed class Signal
{
    private readonly CountdownEvent _countdown;

    /// <summary>A signal that comes once it has been set <paramref name="count"/> times.</summary>
    public Signal(int count = 1) => _countdown = new CountdownEvent(count);

    /// <summary>Sets the signal once more.</summary>
    public void Set() => _countdown.Signal();

    /// <summary>Waits until the signal has been set as many times as it counts; throws if that does not happen within <see cref="Gate.Limit"/>.</summary>
    public void WaitFor()
    {
        if (!_countdown.Wait(Gate.Limit))
            throw new TimeoutException("The awaited signal never came.");
    }
}
