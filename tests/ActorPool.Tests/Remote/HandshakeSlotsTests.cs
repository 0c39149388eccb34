using ActorPool.Configuration;
using ActorPool.Remote;
using Akka.Configuration;

namespace ActorPool.Tests.Remote;

/// <summary>The caps on inbound TLS handshakes in progress: in all, per host, and their slots given back.</summary>
public sealed class HandshakeSlotsTests
{
    [Fact]
    public void Take_MoreThanTheCapPerHost_EvictsThatHostsOldestOnlyNamingTheSetting()
    {
        var slots = new HandshakeSlots(max: 10, maxPerHost: 2);
        var first = slots.Take("10.0.0.9");
        var second = slots.Take("10.0.0.9");
        var other = slots.Take("10.0.0.5");

        var third = slots.Take("10.0.0.9");

        Assert.True(first.Evicted.IsCancellationRequested);
        Assert.Contains("max-inbound-handshakes-per-host", first.Reason);
        Assert.False(second.Evicted.IsCancellationRequested || other.Evicted.IsCancellationRequested || third.Evicted.IsCancellationRequested);
        Assert.Equal(3, slots.Count);
    }

    [Fact]
    public void Take_LoopbackPeers_AreCappedInAllOnly()
    {
        // A LocalProcesses pool's worker processes all connect from 127.0.0.1 as it starts.
        var slots = new HandshakeSlots(max: 3, maxPerHost: 1);
        var taken = new[] { slots.Take("127.0.0.1"), slots.Take("127.0.0.1"), slots.Take("::1") };
        Assert.DoesNotContain(taken, slot => slot.Evicted.IsCancellationRequested);

        slots.Take("127.0.0.1");

        Assert.True(taken[0].Evicted.IsCancellationRequested);
        Assert.Contains("actorpool.tls.max-inbound-handshakes allows", taken[0].Reason);
        Assert.Equal(3, slots.Count);
    }

    [Fact]
    public void Take_MoreThanTheCapInAll_EvictsTheOldestOfAnyHost_SoSilentStrangersCannotKeepAMemberOut()
    {
        var slots = new HandshakeSlots(max: 2, maxPerHost: 2);
        var strangers = new[] { slots.Take("10.0.0.1"), slots.Take("10.0.0.2") }; // silent, holding both slots

        var member = slots.Take("10.0.0.3");

        Assert.True(strangers[0].Evicted.IsCancellationRequested);
        Assert.Contains("actorpool.tls.max-inbound-handshakes", strangers[0].Reason);
        Assert.DoesNotContain("per-host", strangers[0].Reason);
        Assert.False(strangers[1].Evicted.IsCancellationRequested);
        Assert.False(member.Evicted.IsCancellationRequested);
    }

    [Fact]
    public void Release_AHandshakeThatEnded_FreesItsSlotInAllAndForItsHost_AndAnEvictedOneIsNotCountedTwice()
    {
        var slots = new HandshakeSlots(max: 1, maxPerHost: 1);
        var first = slots.Take("10.0.0.1");
        var second = slots.Take("10.0.0.1"); // evicts the first
        slots.Release(first); // its handshake ends after its eviction: nothing more to give back
        Assert.Equal(1, slots.Count);

        slots.Release(second);
        Assert.Equal(0, slots.Count);

        var third = slots.Take("10.0.0.1");
        Assert.False(third.Evicted.IsCancellationRequested);
    }

    [Fact]
    public void Take_ManyHostsComingAndGoingAtRandom_NeverCountsMoreThanTheCapsAndReleasesEveryOne()
    {
        var random = new Random(7);
        var slots = new HandshakeSlots(max: 5, maxPerHost: 2);
        var live = new List<HandshakeSlots.Slot>();
        for (var step = 0; step < 2_000; step++)
        {
            if (live.Count > 0 && random.Next(3) == 0)
            {
                var ended = live[random.Next(live.Count)];
                live.Remove(ended);
                slots.Release(ended);
            }
            else
            {
                live.Add(slots.Take(random.Next(4) == 0 ? "127.0.0.1" : $"10.0.0.{random.Next(4)}"));
            }
            var counted = live.Where(slot => !slot.Evicted.IsCancellationRequested).ToList();
            Assert.Equal(counted.Count, slots.Count);
            Assert.InRange(counted.Count, 0, 5);
            Assert.All(counted.Where(slot => slot.Host != "127.0.0.1").GroupBy(slot => slot.Host), host => Assert.InRange(host.Count(), 1, 2));
        }
        foreach (var slot in live)
            slots.Release(slot);
        Assert.Equal(0, slots.Count);
    }

    [Fact]
    public void TlsSettings_ReferenceConfig_HasSaneCaps()
    {
        var settings = TlsSettings.Of(ReferenceConfig.Get());
        Assert.InRange(settings.MaxInboundHandshakes, 16, 1024);
        Assert.InRange(settings.MaxInboundHandshakesPerHost, 4, settings.MaxInboundHandshakes);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.HandshakeTimeout);
    }

    [Theory]
    [InlineData("max-inbound-handshakes = 0")]
    [InlineData("max-inbound-handshakes-per-host = -1")]
    [InlineData("handshake-timeout = 0s")]
    [InlineData("max-inbound-handshakes = many")]
    [InlineData("max-inbound-handshakes-per-host = 99999999999")]
    [InlineData("handshake-timeout = soon")]
    public void TlsSettings_OutOfRangeOrNotANumber_ThrowsNamingTheSetting(string setting)
    {
        var config = ConfigurationFactory.ParseString($"actorpool.tls.{setting}").WithFallback(ReferenceConfig.Get());
        var error = Assert.Throws<ConfigurationException>(() => TlsSettings.Of(config));
        Assert.Contains("actorpool.tls." + setting.Split(' ')[0], error.Message);
    }
}
