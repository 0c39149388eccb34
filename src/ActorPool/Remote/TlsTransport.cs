using System.Net;
using ActorPool.Configuration;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;

namespace ActorPool.Remote;

/// <summary>Creates the <see cref="TlsTransport"/> of a system created with a <see cref="TlsSetup"/>; Akka.Remote instantiates it by name (<see cref="TlsSetup.Config"/>).</summary>
internal sealed class TlsTransportProvider : ITransportAdapterProvider
{
    public Transport Create(Transport wrappedTransport, ExtendedActorSystem system) =>
        system.Settings.Setup.Get<TlsSetup>() is { HasValue: true } setup
            ? new TlsTransport(wrappedTransport, setup.Value.Trust, system)
            : throw new ConfigurationException("The ActorPool TLS adapter is configured, but the system was created without its TlsSetup (no certificate).");
}

/// <summary>
/// TLS with mutual authentication over Akka's TCP transport: every association, in either
/// direction, first completes a TLS handshake in which both sides present a certificate that the
/// other's <see cref="PeerTrust"/> accepts. Until it has, nothing reaches Akka's remoting: an
/// inbound connection that fails is dropped before remoting knows of it (so it never learns an
/// address to answer), an outbound one fails as an unreachable address does. Each refused address
/// is logged once (<see cref="RefusalLog"/>). Inbound handshakes in progress are capped
/// (<see cref="HandshakeSlots"/>): under a full cap, a new connection ends the oldest handshake in progress.
/// </summary>
internal sealed class TlsTransport : AbstractTransportAdapter
{
    /// <summary>What the adapter adds to the transport's scheme: addresses read <c>akka.tls.tcp://…</c>.</summary>
    public const string Scheme = "tls";

    private static readonly SchemeAugmenter Augmenter = new(Scheme);

    /// <summary>
    /// How the failure of a refused outbound connection starts. Akka logs that failure again at
    /// every retry (every 5 s while the peer is a seed or a member); <see cref="QuietRetries"/>
    /// leaves those out, the refusal itself having been logged once.
    /// </summary>
    private const string RefusedConnection = "ActorPool refused the TLS connection";

    /// <summary>Leaves out of the system's log Akka's repeats of a refusal already logged once.</summary>
    public static LogFilterBuilder QuietRetries(LogFilterBuilder filters) => filters.ExcludeMessageContaining(RefusedConnection);

    private readonly PeerTrust _trust;
    private readonly TimeSpan _handshakeTimeout;
    private readonly HandshakeSlots _inbound;
    private readonly ILoggingAdapter _log;
    private readonly RefusalLog _refusals;

    public TlsTransport(Transport wrappedTransport, PeerTrust trust, ExtendedActorSystem system)
        : base(wrappedTransport)
    {
        _trust = trust;
        System = system;
        var settings = TlsSettings.Of(system.Settings.Config);
        _handshakeTimeout = settings.HandshakeTimeout;
        _inbound = new HandshakeSlots(settings.MaxInboundHandshakes, settings.MaxInboundHandshakesPerHost);
        _log = Logging.GetLogger(system, typeof(TlsTransport));
        _refusals = new RefusalLog(_log);
    }

    protected override SchemeAugmenter SchemeAugmenter => Augmenter;

    protected override Task<IAssociationEventListener> InterceptListen(Address listenAddress, Task<IAssociationEventListener> listenerTask) =>
        Task.FromResult<IAssociationEventListener>(new InboundListener(this, listenerTask));

    protected override void InterceptAssociate(Address remoteAddress, TaskCompletionSource<AssociationHandle> statusPromise) =>
        _ = AssociateAsync(remoteAddress, statusPromise);

    private async Task AssociateAsync(Address remoteAddress, TaskCompletionSource<AssociationHandle> statusPromise)
    {
        AssociationHandle wrapped;
        try
        {
            wrapped = await WrappedTransport.Associate(remoteAddress).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            statusPromise.TrySetException(ex); // not reachable at all: as without TLS
            return;
        }
        var peer = $"{remoteAddress.Host}:{remoteAddress.Port}";
        string? refusal = null;
        var handle = await TlsHandshake.RunAsync(wrapped, client: true, _trust, WrappedTransport.MaximumPayloadBytes, _handshakeTimeout, _log, why =>
        {
            refusal = why;
            _refusals.Refused($"to {peer}", why);
        }).ConfigureAwait(false);
        if (handle is not null)
        {
            if (!statusPromise.TrySetResult(handle))
                handle.Disassociate("nobody waits for the association any more", _log); // Akka gave up on it during the handshake
        }
        else
            statusPromise.TrySetException(new InvalidAssociationException($"{RefusedConnection} to {peer}: {refusal}."));
    }

    /// <summary>
    /// Takes an inbound connection: its handshake, under the caps (where a full cap ends the
    /// oldest handshake in progress, see <see cref="HandshakeSlots"/>), then remoting.
    /// </summary>
    private void Accept(AssociationHandle wrapped, Task<IAssociationEventListener> upstream)
    {
        // By host only: each connection comes from a port of its own.
        var host = HostOf(wrapped.RemoteAddress) ?? "an unknown host";
        _ = AcceptAsync(wrapped, _inbound.Take(host), upstream);
    }

    private async Task AcceptAsync(AssociationHandle wrapped, HandshakeSlots.Slot slot, Task<IAssociationEventListener> upstream)
    {
        var host = slot.Host;
        TlsAssociationHandle? handle;
        try
        {
            handle = await TlsHandshake.RunAsync(wrapped, client: false, _trust, WrappedTransport.MaximumPayloadBytes, _handshakeTimeout, _log,
                why => _refusals.Refused($"from {host}", slot.Reason ?? why), slot.Evicted).ConfigureAwait(false);
        }
        finally
        {
            _inbound.Release(slot); // the handshake has ended, whichever way: RunAsync never throws, but a slot must never leak
        }
        if (handle is null)
            return;
        try
        {
            (await upstream.ConfigureAwait(false)).Notify(new InboundAssociation(handle));
        }
        catch (Exception ex)
        {
            // Remoting is stopping (the system is being shut down): nobody takes the connection, as expected.
            _log.Debug("An inbound connection from {0} could not be handed to remoting: {1}", wrapped.RemoteAddress, ex.Message);
            handle.Disassociate("remoting did not take the connection", _log);
        }
    }

    /// <summary>The host of an inbound connection as people write it: an IPv4 peer on a dual-stack socket shows as <c>[::ffff:a.b.c.d]</c>.</summary>
    private static string? HostOf(Address address) =>
        IPAddress.TryParse(address.Host?.Trim('[', ']'), out var ip) && ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4().ToString() : address.Host;

    /// <summary>Takes the TCP transport's inbound connections, and hands on those whose handshake succeeds.</summary>
    private sealed class InboundListener(TlsTransport transport, Task<IAssociationEventListener> upstream) : IAssociationEventListener
    {
        public void Notify(IAssociationEvent ev)
        {
            if (ev is InboundAssociation inbound)
                transport.Accept(inbound.Association, upstream);
        }
    }
}
