using System.Diagnostics;
using ActorPool.Lifecycle;
using ActorPool.Threads;

namespace ActorPool.Tests.Threads;

/// <summary>A thread about to sleep spins for a bounded time first, and goes on as soon as what it waits for holds.</summary>
public sealed class BriefSpinTests
{
    [Fact]
    public void Until_AlreadyDone_ReturnsAtOnceWhateverTheBound()
    {
        var asked = 0;
        Assert.True(BriefSpin.Until(0, _ => ++asked > 0, long.MaxValue));
        Assert.Equal(1, asked);
    }

    [Fact]
    public void Until_NoTicks_AsksOnceAndReturnsFalse()
    {
        var asked = 0;
        Assert.False(BriefSpin.Until(0, _ => ++asked < 0, 0));
        Assert.Equal(1, asked);
    }

    [Fact]
    public void Until_DoneByAnotherThreadWhileItSpins_ReturnsTrue()
    {
        // The bound is far past the test's limit: only seeing the flag ends this spin in time.
        var spinning = new Signal();
        var done = 0;
        var setter = new Thread(() =>
        {
            spinning.WaitFor();
            Volatile.Write(ref done, 1);
        });
        setter.Start();
        var asked = 0;
        Assert.True(BriefSpin.Until(0, _ =>
        {
            if (++asked == 2)
                spinning.Set();
            return Volatile.Read(ref done) == 1;
        }, BriefSpin.Ticks(2 * Gate.Limit)));
        Assert.True(setter.Join(Gate.Limit));
    }

    [Fact]
    public void Until_NeverDone_ReturnsFalseOnceItsTicksHavePassed()
    {
        var asked = 0;
        var ticks = BriefSpin.Ticks(TimeSpan.FromMilliseconds(1));
        var started = Stopwatch.GetTimestamp();
        Assert.False(BriefSpin.Until(0, _ => ++asked < 0, ticks));
        Assert.True(Stopwatch.GetTimestamp() - started >= ticks);
        Assert.True(asked > 1);
    }
}
