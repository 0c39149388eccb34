using ActorPool.Configuration;
using ActorPool.Remote;
using Akka.Configuration;

namespace ActorPool.Tests.Remote;

/// <summary>The caps on inbound TLS handshakes in progress: in all, per host, and their slots given back.</summary>
public sealed class HandshakeSlotsTests
{
    [Fact]
    public void TryTake_MoreThanTheCapPerHost_RefusesThatHostOnlyNamingTheSetting()
    {
        var slots = new HandshakeSlots(max: 10, maxPerHost: 2);
        Assert.Null(slots.TryTake("10.0.0.9"));
        Assert.Null(slots.TryTake("10.0.0.9"));

        Assert.Contains("max-inbound-handshakes-per-host", slots.TryTake("10.0.0.9"));
        Assert.Null(slots.TryTake("10.0.0.5"));
    }

    [Fact]
    public void TryTake_LoopbackPeers_AreCappedInAllOnly()
    {
        // A LocalProcesses pool's worker processes all connect from 127.0.0.1 as it starts.
        var slots = new HandshakeSlots(max: 3, maxPerHost: 1);
        Assert.Null(slots.TryTake("127.0.0.1"));
        Assert.Null(slots.TryTake("127.0.0.1"));
        Assert.Null(slots.TryTake("::1"));

        Assert.Contains("actorpool.tls.max-inbound-handshakes allows", slots.TryTake("127.0.0.1"));
        slots.Release("127.0.0.1");
        Assert.Null(slots.TryTake("127.0.0.1"));
    }

    [Fact]
    public void TryTake_MoreThanTheCapInAll_RefusesEveryHostNamingTheSetting()
    {
        var slots = new HandshakeSlots(max: 2, maxPerHost: 2);
        Assert.Null(slots.TryTake("10.0.0.1"));
        Assert.Null(slots.TryTake("10.0.0.2"));

        var refusal = slots.TryTake("10.0.0.3");
        Assert.Contains("actorpool.tls.max-inbound-handshakes", refusal);
        Assert.DoesNotContain("per-host", refusal);
    }

    [Fact]
    public void Release_AHandshakeThatEnded_FreesItsSlotInAllAndForItsHost()
    {
        var slots = new HandshakeSlots(max: 1, maxPerHost: 1);
        Assert.Null(slots.TryTake("10.0.0.1"));
        Assert.NotNull(slots.TryTake("10.0.0.1"));

        slots.Release("10.0.0.1");

        Assert.Null(slots.TryTake("10.0.0.1"));
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
    public void TlsSettings_OutOfRange_ThrowsNamingTheSetting(string setting)
    {
        var config = ConfigurationFactory.ParseString($"actorpool.tls.{setting}").WithFallback(ReferenceConfig.Get());
        var error = Assert.Throws<ConfigurationException>(() => TlsSettings.Of(config));
        Assert.Contains("actorpool.tls." + setting.Split(' ')[0], error.Message);
    }
}
