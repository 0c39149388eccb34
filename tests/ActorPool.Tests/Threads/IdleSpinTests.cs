using ActorPool.Configuration;
using ActorPool.Coordination;
using ActorPool.Lifecycle;
using ActorPool.Observability;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

namespace ActorPool.Tests.Threads;

/// <summary>
/// <c>actorpool.idle-spin</c>: its range, and a result's waits: one without a limit spins and ends
/// at the result, one with a limit does not spin.
/// </summary>
public sealed class IdleSpinTests
{
    // Far past the test's limit: a wait that spun it out, or that spun at all, fails the test.
    private static readonly TimeSpan Endless = 2 * Gate.Limit;

    [Fact]
    public void IdleSpinOf_ReferenceConf_IsFiveMicroseconds_OrOffOnOneProcessor()
    {
        var expected = Environment.ProcessorCount == 1 ? TimeSpan.Zero : TimeSpan.FromTicks(50);
        Assert.Equal(expected, PoolSettings.IdleSpinOf(ReferenceConfig.Get()));
    }

    [Theory]
    [InlineData("0s", 0)]
    [InlineData("1ms", 10_000)]
    [InlineData("20 microseconds", 200)]
    public void IdleSpinOf_AValueInRange_IsTaken_OrOffOnOneProcessor(string value, long ticks)
    {
        var expected = Environment.ProcessorCount == 1 ? TimeSpan.Zero : TimeSpan.FromTicks(ticks);
        Assert.Equal(expected, PoolSettings.IdleSpinOf(WithIdleSpin(value)));
    }

    [Theory]
    [InlineData("-1ms")]
    [InlineData("2ms")]
    [InlineData("infinite")]
    [InlineData("soon")]
    public void IdleSpinOf_AValueOutOfRange_IsRefusedNamingIt(string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => PoolSettings.IdleSpinOf(WithIdleSpin(value)));
        Assert.Contains("actorpool.idle-spin", error.Message);
    }

    [Fact]
    public void Pool_ConfiguredWithIdleSpinOff_RunsJobs()
    {
        using var pool = new Pool(new PoolOptions
        {
            Processes = 1,
            SystemSetup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(WithIdleSpin("0s"))),
        });
        Assert.Equal(9, pool.Apply(x => x * x, 3));
        Assert.Equal([1, 4, 9], pool.Map(x => x * x, [1, 2, 3]));
    }

    [Fact]
    public void Get_AResultThatComesWhileItWaits_IsReturned()
    {
        // The result may come before Get spins or while it does; either way only seeing it ends the spin in time.
        var result = Pending(Endless);
        var got = 0;
        var getter = new Thread(() => got = result.Get());
        getter.Start();
        result.Complete(7);
        Assert.True(getter.Join(Gate.Limit), "Get spun past its result.");
        Assert.Equal(7, got);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Wait_WithALimit_DoesNotSpin(int milliseconds)
    {
        var result = Pending(Endless);
        var ready = true;
        var waiter = new Thread(() => ready = result.Wait(TimeSpan.FromMilliseconds(milliseconds)));
        waiter.Start();
        Assert.True(waiter.Join(Gate.Limit), "A wait with a limit spun.");
        Assert.False(ready);
    }

    /// <summary>A result not ready yet, whose waits spin <paramref name="idleSpin"/>.</summary>
    private static AsyncResult<int> Pending(TimeSpan idleSpin) =>
        new(new JobRegistry(), null, null, _ => { }, new JobTally(new PoolTelemetry("test"), JobKind.Apply), idleSpin);

    private static Config WithIdleSpin(string value) =>
        ConfigurationFactory.ParseString($"actorpool.idle-spin = {value}").WithFallback(ReferenceConfig.Get());
}
