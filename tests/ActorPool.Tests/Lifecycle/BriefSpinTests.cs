using System.Diagnostics;
using ActorPool.Configuration;
using ActorPool.Coordination;
using ActorPool.Lifecycle;
using Akka.Configuration;

namespace ActorPool.Tests.Lifecycle;

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

    [Fact]
    public void IdleSpinOf_ReferenceConf_IsFiveMicroseconds()
    {
        Assert.Equal(TimeSpan.FromTicks(50), PoolSettings.IdleSpinOf(ReferenceConfig.Get()));
    }

    [Theory]
    [InlineData("0s", 0)]
    [InlineData("1ms", 10_000)]
    [InlineData("20 microseconds", 200)]
    public void IdleSpinOf_AValueInRange_IsTaken(string value, long ticks)
    {
        Assert.Equal(TimeSpan.FromTicks(ticks), PoolSettings.IdleSpinOf(WithIdleSpin(value)));
    }

    [Theory]
    [InlineData("-1ms")]
    [InlineData("2ms")]
    [InlineData("soon")]
    public void IdleSpinOf_AValueOutOfRange_IsRefusedNamingIt(string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => PoolSettings.IdleSpinOf(WithIdleSpin(value)));
        Assert.Contains("actorpool.idle-spin", error.Message);
    }

    [Fact]
    public void Pool_WithIdleSpinOff_StillAnswers()
    {
        using var pool = new Pool(new PoolOptions
        {
            Processes = 1,
            SystemSetup = Akka.Actor.Setup.ActorSystemSetup.Create(Akka.Actor.BootstrapSetup.Create().WithConfig(WithIdleSpin("0s"))),
        });
        Assert.Equal(9, pool.Apply(x => x * x, 3));
        Assert.Equal([1, 4, 9], pool.Map(x => x * x, [1, 2, 3]));
    }

    [Fact]
    public void Get_AResultThatComesWhileItSpins_IsReturned()
    {
        // The spin is far past the test's limit: only seeing the result end it lets Get return in time.
        var result = Pending(2 * Gate.Limit);
        var got = 0;
        var getter = new Thread(() => got = result.Get());
        getter.Start();
        result.Complete(7);
        Assert.True(getter.Join(Gate.Limit), "Get spun past its result.");
        Assert.Equal(7, got);
    }

    [Fact]
    public void Wait_WithNoTime_DoesNotSpin()
    {
        var result = Pending(2 * Gate.Limit);
        var ready = true;
        var waiter = new Thread(() => ready = result.Wait(TimeSpan.Zero));
        waiter.Start();
        Assert.True(waiter.Join(Gate.Limit), "A wait with no time spun.");
        Assert.False(ready);
    }

    /// <summary>A result not ready yet, whose waits spin <paramref name="idleSpin"/>.</summary>
    private static AsyncResult<int> Pending(TimeSpan idleSpin) =>
        new(new JobRegistry(), null, null, _ => { }, new JobTally(new ActorPool.Observability.PoolTelemetry("test"), JobKind.Apply), idleSpin);

    private static Config WithIdleSpin(string value) =>
        ConfigurationFactory.ParseString($"actorpool.idle-spin = {value}").WithFallback(ReferenceConfig.Get());
}
