using ActorPool.Coordination;

namespace ActorPool.Tests.Coordination;

public sealed class WindowTests
{
    [Fact]
    public async Task Acquire_Full_BlocksUntilHalfIsReleased()
    {
        var window = new Window(4);
        for (var i = 0; i < 4; i++)
            Assert.True(window.Acquire(CancellationToken.None));
        var fifth = Task.Run(() => window.Acquire(CancellationToken.None));
        WaitUntilBlocked(window);
        window.Release(); // 3 in flight: still above half, so the feeder stays blocked
        Assert.True(window.FeederWaiting);
        Assert.False(fifth.IsCompleted);
        window.Release(); // 2 in flight: half, the feeder resumes
        Assert.True(await fifth.WaitAsync(Gate.Limit));
    }

    [Fact]
    public async Task Acquire_Cancelled_ReturnsFalse()
    {
        var window = new Window(1);
        Assert.True(window.Acquire(CancellationToken.None));
        using var cts = new CancellationTokenSource();
        var blocked = Task.Run(() => window.Acquire(cts.Token));
        WaitUntilBlocked(window);
        cts.Cancel();
        Assert.False(await blocked.WaitAsync(Gate.Limit));
    }

    [Fact]
    public async Task Lift_UnblocksAndRemovesTheBound()
    {
        var window = new Window(1);
        Assert.True(window.Acquire(CancellationToken.None));
        var blocked = Task.Run(() => window.Acquire(CancellationToken.None));
        WaitUntilBlocked(window);
        window.Lift();
        Assert.True(await blocked.WaitAsync(Gate.Limit));
        for (var i = 0; i < 100; i++)
            Assert.True(window.Acquire(CancellationToken.None));
    }

    // The feeder thread sets the flag just before it blocks in Monitor.Wait, under the window's lock,
    // so once it is seen the feeder holds no slot and can only be woken by the window.
    private static void WaitUntilBlocked(Window window) =>
        Assert.True(SpinWait.SpinUntil(() => window.FeederWaiting, Gate.Limit), "The feeder never blocked.");
}
