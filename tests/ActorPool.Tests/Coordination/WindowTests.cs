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
        window.Release(); // 3 in flight: still above half
        Assert.False(fifth.IsCompleted); // it cannot have got a slot with 3 of 4 in flight
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
        cts.Cancel();
        Assert.False(await blocked.WaitAsync(Gate.Limit));
    }

    [Fact]
    public async Task Lift_UnblocksAndRemovesTheBound()
    {
        var window = new Window(1);
        Assert.True(window.Acquire(CancellationToken.None));
        var blocked = Task.Run(() => window.Acquire(CancellationToken.None));
        window.Lift();
        Assert.True(await blocked.WaitAsync(Gate.Limit));
        for (var i = 0; i < 100; i++)
            Assert.True(window.Acquire(CancellationToken.None));
    }
}
