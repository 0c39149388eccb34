using ActorPool.Coordination;

namespace ActorPool.Tests.Coordination;

public sealed class WindowTests
{
    [Fact]
    public void TryAcquire_Full_Refuses()
    {
        var window = new Window(4);
        for (var i = 0; i < 4; i++)
            Assert.True(window.TryAcquire());
        Assert.False(window.TryAcquire());
    }

    [Fact]
    public void TryAcquire_AfterARefusal_RefusesUntilHalfIsReleased()
    {
        var window = FullAndRefused(4);
        window.Release(); // 3 in flight: a free slot, but above half
        Assert.False(window.TryAcquire());
        window.Release(); // 2 in flight: half
        Assert.True(window.TryAcquire());
    }

    [Fact]
    public void TryAcquire_NeverRefused_TakesAnyFreeSlot()
    {
        var window = new Window(4);
        for (var i = 0; i < 4; i++)
            Assert.True(window.TryAcquire());
        window.Release();
        Assert.True(window.TryAcquire());
    }

    [Fact]
    public void TryAcquire_ResumedAfterHalf_IsRefusedAgainOnlyWhenFull()
    {
        var window = FullAndRefused(4);
        window.Release();
        window.Release(); // 2 in flight: the feeder resumes
        Assert.True(window.TryAcquire());
        Assert.True(window.TryAcquire()); // 4 in flight
        Assert.False(window.TryAcquire());
    }

    [Fact]
    public void TryAcquire_Lifted_NeverRefuses()
    {
        var window = FullAndRefused(1);
        window.Lift();
        for (var i = 0; i < 100; i++)
            Assert.True(window.TryAcquire());
    }

    [Fact]
    public async Task Acquire_Waiting_ReturnsOnceHalfIsReleased()
    {
        var window = FullAndRefused(4);
        var (feeder, fifth) = AcquireOnThread(window, CancellationToken.None);
        WaitUntilBlocked(feeder);
        window.Release(); // 3 in flight: still above half, so the feeder stays blocked
        Assert.False(fifth.IsCompleted);
        window.Release(); // 2 in flight: half, the feeder resumes
        Assert.True(await fifth.WaitAsync(Gate.Limit));
        Assert.True(window.TryAcquire()); // the resumed feeder took one slot: 3 in flight
        Assert.False(window.TryAcquire()); // and this one the last
    }

    [Fact]
    public async Task Acquire_Cancelled_ReturnsFalse()
    {
        var window = FullAndRefused(1);
        using var cts = new CancellationTokenSource();
        var (feeder, blocked) = AcquireOnThread(window, cts.Token);
        WaitUntilBlocked(feeder);
        cts.Cancel();
        Assert.False(await blocked.WaitAsync(Gate.Limit));
    }

    [Fact]
    public async Task Acquire_Lifted_ReturnsTrue()
    {
        var window = FullAndRefused(1);
        var (feeder, blocked) = AcquireOnThread(window, CancellationToken.None);
        WaitUntilBlocked(feeder);
        window.Lift();
        Assert.True(await blocked.WaitAsync(Gate.Limit));
    }

    /// <summary>A window whose every slot is taken and whose feeder has been refused once.</summary>
    private static Window FullAndRefused(int capacity)
    {
        var window = new Window(capacity);
        for (var i = 0; i < capacity; i++)
            Assert.True(window.TryAcquire());
        Assert.False(window.TryAcquire());
        return window;
    }

    /// <summary>Runs the feeder's blocking call on a thread of its own, as the feeder does.</summary>
    private static (Thread Feeder, Task<bool> Acquired) AcquireOnThread(Window window, CancellationToken cancellationToken)
    {
        var acquired = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var feeder = new Thread(() =>
        {
            try
            {
                acquired.SetResult(window.Acquire(cancellationToken));
            }
            catch (Exception ex)
            {
                acquired.SetException(ex);
            }
        }) { IsBackground = true, Name = "window test feeder" };
        feeder.Start();
        return (feeder, acquired.Task);
    }

    // Once the feeder has been refused, Acquire can only block in the window's Monitor.Wait: its lock
    // is never contended here, since the test thread leaves the window alone while it waits, and
    // nothing else on the feeder thread blocks. So the thread's own state tells that it is blocked
    // in the window, and that whatever wakes it next is what the test does after this.
    private static void WaitUntilBlocked(Thread feeder) =>
        Assert.True(
            SpinWait.SpinUntil(() => (feeder.ThreadState & ThreadState.WaitSleepJoin) != 0, Gate.Limit),
            "The feeder never blocked.");
}
