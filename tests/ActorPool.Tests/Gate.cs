namespace ActorPool.Tests;

/// <summary>
/// A latch that user functions in tests block on, so a test controls when a task may finish
/// without ever sleeping. Every wait has a generous safety limit, so a broken pool fails the test
/// instead of hanging the suite.
/// </summary>
public sealed class Gate
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly ManualResetEventSlim _open = new(false);

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

    public Signal(int count = 1) => _countdown = new CountdownEvent(count);

    public void Set() => _countdown.Signal();

    public void WaitFor()
    {
        if (!_countdown.Wait(Gate.Limit))
            throw new TimeoutException("The awaited signal never came.");
    }
}
