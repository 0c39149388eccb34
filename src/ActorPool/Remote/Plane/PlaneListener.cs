using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ActorPool.Configuration;
using ActorPool.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Remote.Plane;

/// <summary>
/// A node's end of the data plane: listens beside remoting, on the same host, for the data
/// connections of pools' routers, and hands what arrives on each to the node's workers (batches)
/// and host actor (take-backs, cancellations), in the name of a <see cref="RouterProxy"/>, so that
/// their answers go back on the same connection. The node names the port in its
/// <see cref="NodeWorkers"/>; a router opens a connection before it sends the node any work.
/// </summary>
/// <remarks>
/// A connection is let in as remoting lets a peer in: TLS with the system's pinned certificates, or
/// plain TCP where remoting is plain. Its opening (handshake and hello) holds a slot under caps
/// of the same size as remoting's handshakes, counted apart (<see cref="HandshakeSlots"/>, <c>actorpool.tls</c>); its
/// frames are bounded by remoting's frame size; and a peer that sends anything else than work for
/// a worker or a request for the host actor is cut off. At most <see cref="MaxConnections"/> are open at once.
/// </remarks>
internal sealed class PlaneListener : IDisposable
{
    /// <summary>Open data connections at most: one per pool that uses the node.</summary>
    public const int MaxConnections = 1024;

    private readonly ExtendedActorSystem _system;
    private readonly IActorRef _node;
    private readonly IReadOnlyList<IActorRef> _workers;
    private readonly PeerTrust? _trust;
    private readonly TimeSpan _limit;
    private readonly HandshakeSlots _slots;
    private readonly TcpListener _listener;
    private readonly ILoggingAdapter _log;
    private readonly RefusalLog _refusals;
    private readonly ConcurrentDictionary<PlaneConnection, Address> _open = new(); // each with its router's address
    private readonly CancellationTokenSource _stopping = new();

    private PlaneListener(ExtendedActorSystem system, IActorRef node, IReadOnlyList<IActorRef> workers, TcpListener listener)
    {
        _system = system;
        _node = node;
        _workers = workers;
        _listener = listener;
        _trust = PlaneOpening.TrustOf(system);
        var tls = TlsSettings.Of(system.Settings.Config);
        _limit = tls.HandshakeTimeout;
        _slots = new HandshakeSlots(tls.MaxInboundHandshakes, tls.MaxInboundHandshakesPerHost);
        _log = Logging.GetLogger(system, typeof(PlaneListener));
        _refusals = new RefusalLog(_log, "a data connection");
    }

    /// <summary>The port it listens on.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections open now (for tests).</summary>
    internal int OpenConnections => _open.Count;

    /// <summary>
    /// Starts listening on the host remoting listens on, on <c>actorpool.remote.data-plane.port</c>, for the node whose host
    /// actor is <paramref name="node"/> and whose workers are <paramref name="workers"/>; null if
    /// the data plane is off, or cannot listen there (logged: pools then reach the node by remoting alone).
    /// </summary>
    public static PlaneListener? Start(ExtendedActorSystem system, IActorRef node, IReadOnlyList<IActorRef> workers)
    {
        if (!PlaneOpening.Enabled(system) || !system.Provider.DefaultAddress.HasGlobalScope)
            return null; // off, or a system without remoting (a node actor in process, in tests): no one could connect
        var hostname = system.Settings.Config.GetString("akka.remote.dot-netty.tcp.hostname", "") ?? "";
        try
        {
            var address = string.IsNullOrWhiteSpace(hostname) || hostname is "0.0.0.0" ? IPAddress.Any
                : hostname is "::" ? IPAddress.IPv6Any
                : IPAddress.TryParse(hostname.Trim('[', ']'), out var ip) ? ip
                : Dns.GetHostAddresses(hostname)[0];
            var listener = new TcpListener(address, PortOf(system.Settings.Config));
            listener.Start();
            var plane = new PlaneListener(system, node, workers, listener);
            PlaneThreads.Start("actorpool-plane-accept", plane.AcceptLoop);
            return plane;
        }
        catch (Exception ex)
        {
            Logging.GetLogger(system, typeof(PlaneListener)).Warning(
                "ActorPool's data plane cannot listen on {0}, so pools reach this node's workers through Akka.Remote alone (slower one task at a time): {1}",
                hostname, ex.Message);
            return null;
        }
    }

    /// <summary>The port to listen on that <paramref name="config"/>, a system's whole configuration, sets (<c>actorpool.remote.data-plane.port</c>, 0 for a free one).</summary>
    /// <exception cref="Akka.Configuration.ConfigurationException">It is not a port number; the message names the setting.</exception>
    public static int PortOf(Akka.Configuration.Config config)
    {
        int port;
        try
        {
            port = config.GetInt($"{PlaneOpening.ConfigPath}.port", 0);
        }
        catch (Exception ex) when (ex is not Akka.Configuration.ConfigurationException)
        {
            port = -1; // not a number
        }
        return port is >= 0 and <= 65535
            ? port
            : throw new Akka.Configuration.ConfigurationException(
                $"{PlaneOpening.ConfigPath}.port must be 0 (a free port) to 65535, but is {config.GetString($"{PlaneOpening.ConfigPath}.port", "")}.");
    }

    /// <summary>Accepts connections, on a thread of its own: a socket accepted by a blocking call stays blocking (<see cref="PlaneOpening"/>).</summary>
    private void AcceptLoop()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = _listener.AcceptSocket();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or SocketException && _stopping.IsCancellationRequested)
            {
                return; // stopped
            }
            catch (SocketException ex)
            {
                // Out of file descriptors, say: a moment's pause rather than a loop that spins on it.
                _log.Debug("ActorPool's data plane could not accept a connection: {0}", ex.Message);
                _stopping.Token.WaitHandle.WaitOne(100);
                continue;
            }
            try
            {
                PlaneThreads.Start("actorpool-plane-opening", () => Open(socket), PlaneThreads.OpeningStack);
            }
            catch (Exception ex)
            {
                // No thread could be made (memory, or the process's limit): this connection is refused, the node goes on.
                _refusals.Refused("from a peer", $"no thread could be made to open it: {ex.Message}");
                socket.Dispose();
            }
        }
    }

    /// <summary>Lets a connection in, or closes it with the reason logged once per host; never throws. Blocks its thread until the opening ends, within its deadline.</summary>
    private void Open(Socket socket)
    {
        var host = (socket.RemoteEndPoint as IPEndPoint)?.Address is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "an unknown host";
        var slot = _slots.Take(host);
        Stream? stream = null;
        PlaneConnection? connection = null;
        try
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, slot.Evicted);
            using var deadline = new OpeningDeadline(socket, _limit, cancel.Token);
            socket.NoDelay = true;
            stream = PlaneOpening.Secure(socket, client: false, _trust, deadline);
            var hello = PlaneOpening.ReadHello(stream, deadline);
            if (RouterOf(hello) is not { } router)
                throw new IOException("its hello did not name a pool's router in another process");
            if (_open.Count >= MaxConnections)
                throw new IOException($"this node has {MaxConnections} data connections open already");
            PlaneOpening.SendHello(stream, WireSerializer.Version, deadline);
            deadline.Met();
            connection = new PlaneConnection(socket, stream, _system);
            Serve(connection, router);
        }
        catch (Exception ex)
        {
            _refusals.Refused($"from {host}", slot.Reason ?? ex.Message);
            if (connection is not null)
                connection.Dispose();
            else
            {
                stream?.Dispose();
                socket.Dispose();
            }
        }
        finally
        {
            _slots.Release(slot);
        }
    }

    /// <summary>The router a hello names: an actor of another process; null for anything else.</summary>
    private IActorRef? RouterOf(string? hello)
    {
        if (string.IsNullOrEmpty(hello) || hello.Length > 1000)
            return null;
        try
        {
            return ActorPath.TryParse(hello, out var path) && !path.Address.Equals(_system.Provider.DefaultAddress) && path.Address.HasGlobalScope
                ? _system.Provider.ResolveActorRef(hello)
                : null;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private void Serve(PlaneConnection connection, IActorRef router)
    {
        var proxy = new RouterProxy(router, _system.Provider, connection, _workers);
        _open[connection] = router.Path.Address;
        connection.StartReading((party, message) =>
        {
            switch (message)
            {
                case RunBatch when party >= 0 && party < _workers.Count:
                    _workers[party].Tell(message, proxy);
                    return true;
                case TakeBack or CancelTasks when party == PlaneFrame.NodeParty:
                    _node.Tell(message, proxy);
                    return true;
                default:
                    return false;
            }
        }, reason =>
        {
            _open.TryRemove(connection, out _);
            _log.Debug("ActorPool data connection from {0} ({1}) ended: {2}", router.Path, connection.Peer, reason);
        });
        if (_stopping.IsCancellationRequested)
            connection.Dispose(); // stopped while this one opened
    }

    /// <summary>The driver at <paramref name="address"/> left the cluster: its pools' connections are closed, if they have not ended already.</summary>
    public void DriverGone(Address address)
    {
        foreach (var (connection, router) in _open)
        {
            if (router.Equals(address) && _open.TryRemove(connection, out _))
                connection.Dispose();
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        foreach (var connection in _open.Keys)
            connection.Dispose();
        _open.Clear();
    }
}
