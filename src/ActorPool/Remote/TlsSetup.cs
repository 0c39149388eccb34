using Akka.Actor.Setup;
using Akka.Configuration;

namespace ActorPool.Remote;

/// <summary>
/// Makes an ActorSystem of a pool's cluster speak TLS with mutual authentication: the
/// <see cref="TlsTransport"/> adapter over Akka's plain TCP transport (<see cref="Config"/>), with
/// this setup's <see cref="Trust"/>. Pass both when the system is created.
/// </summary>
internal sealed class TlsSetup(PeerTrust trust) : Setup
{
    /// <summary>The protocol of a TLS system's addresses: Akka's, with the adapter's scheme added to the transport's.</summary>
    public const string Protocol = "akka." + TlsTransport.Scheme + ".tcp";

    /// <summary>The protocol of a plain TCP system's addresses.</summary>
    public const string PlainProtocol = "akka.tcp";

    /// <summary>The name the adapter is registered under in <c>akka.remote.adapters</c>.</summary>
    private const string AdapterName = "actorpool-tls";

    public PeerTrust Trust { get; } = trust;

    /// <summary>
    /// Applies the adapter to the TCP transport. Akka's own TLS (<c>enable-ssl</c>) is not used: in
    /// Akka.Remote 1.5.74 a TLS handshake that fails on the connecting side, for whatever reason (a
    /// peer that refuses this process's certificate, one that is not TLS at all, one that closes
    /// mid-handshake), runs the system's CoordinatedShutdown, exit code 79. Anyone who can make a
    /// process connect to an address of theirs (a port a stopped member used, for instance) could
    /// take it down. The adapter's handshake fails as any refused connection does. The TCP transport
    /// is the only one enabled: another, which a configuration file could add, would listen without TLS.
    /// </summary>
    public static readonly Config Config = ConfigurationFactory.ParseString($$"""
        akka.remote.enabled-transports = ["akka.remote.dot-netty.tcp"]
        akka.remote.dot-netty.tcp.enable-ssl = false
        akka.remote.dot-netty.tcp.applied-adapters = ["{{AdapterName}}"]
        akka.remote.adapters.{{AdapterName}} = "{{typeof(TlsTransportProvider).FullName}},{{typeof(TlsTransportProvider).Assembly.GetName().Name}}"
        """);
}
