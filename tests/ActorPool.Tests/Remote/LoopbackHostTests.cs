using ActorPool.Remote;
using Akka.Configuration;

namespace ActorPool.Tests.Remote;

/// <summary>Where a system's configuration puts its remoting: every layer merged, every enabled transport, what it listens on and what it tells peers.</summary>
public sealed class LoopbackHostTests
{
    private static string? OffLoopback(string hocon) => LoopbackHost.OffLoopback(ConfigurationFactory.ParseString(hocon));

    [Theory]
    [InlineData("akka.remote.dot-netty.tcp.hostname = 127.0.0.1")]
    [InlineData("akka.remote.dot-netty.tcp { hostname = localhost, public-hostname = \"127.0.0.2\" }")]
    [InlineData("akka.remote.dot-netty.tcp { hostname = \"::1\", public-hostname = \"\" }")]
    public void OffLoopback_LoopbackOnly_IsNull(string hocon) => Assert.Null(OffLoopback(hocon));

    [Theory]
    [InlineData("akka.remote.dot-netty.tcp.hostname = 0.0.0.0", "akka.remote.dot-netty.tcp.hostname = \"0.0.0.0\"")]
    [InlineData("akka.remote.dot-netty.tcp.hostname = \"\"", "(every interface)")] // Akka.Remote listens on every interface
    [InlineData("akka.remote.dot-netty.tcp.port = 0", "(every interface)")] // no hostname at all: the same
    [InlineData("akka.remote.dot-netty.tcp { hostname = 127.0.0.1, public-hostname = 192.0.2.1 }", "public-hostname = \"192.0.2.1\"")]
    [InlineData("akka.remote { enabled-transports = [akka.remote.other], dot-netty.tcp.hostname = 127.0.0.1, other.hostname = 192.0.2.1 }", "akka.remote.other.hostname")]
    public void OffLoopback_AnAddressOffLoopback_NamesTheSetting(string hocon, string named) =>
        Assert.Contains(named, OffLoopback(hocon));
}
