using System.Net.Sockets;
using ActorPool.Configuration;
using ActorPool.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Remote.Plane;

/// <summary>
/// A pool's end of the data plane (<see cref="INodeLinks"/>): it connects to the port a node
/// names in its <see cref="NodeWorkers"/>, with the same trust as remoting (<see cref="PlaneOpening"/>),
/// says which router it is, and waits for the node's answer before the router sends it anything.
/// </summary>
internal sealed class NodeLinks : INodeLinks
{
    private readonly ExtendedActorSystem _system;
    private readonly PeerTrust? _trust;
    private readonly TimeSpan _limit;
    private readonly ILoggingAdapter _log;
    private readonly HashSet<NodeLink> _links = new(); // open, not disposed: closed with these links
    private readonly CancellationTokenSource _closing = new(); // cancelled by Dispose: gives up the openings under way (never disposed: one may still register)
    private bool _disposed;

    private NodeLinks(ExtendedActorSystem system)
    {
        _system = system;
        _trust = PlaneOpening.TrustOf(system);
        _limit = TlsSettings.Of(system.Settings.Config).HandshakeTimeout;
        _log = Logging.GetLogger(system, typeof(NodeLinks));
    }

    /// <summary>The links of a pool whose system is <paramref name="system"/>; null if the data plane is off there (<c>actorpool.remote.data-plane.enabled</c>).</summary>
    public static INodeLinks? For(ActorSystem system) => PlaneOpening.Enabled(system) ? new NodeLinks((ExtendedActorSystem)system) : null;

    /// <remarks>
    /// The opening blocks a thread of its own (<see cref="PlaneOpening"/> says why), within the
    /// handshake timeout, or until these links are disposed: the task ends then at the latest,
    /// the socket shut down and closed. Never throws: what fails is logged and answered with null.
    /// </remarks>
    public Task<INodeLink?> OpenAsync(Address node, NodeWorkers workers, IActorRef router)
    {
        if (workers.PlanePort == 0 || node.Host is not { } host)
            return Task.FromResult<INodeLink?>(null);
        var opened = new TaskCompletionSource<INodeLink?>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            PlaneThreads.Start("actorpool-plane-opening", () =>
            {
                var link = Open(node, host.Trim('[', ']'), workers, router, opened);
                if (!opened.TrySetResult(link))
                    link?.Dispose(); // the deadline answered first
            }, PlaneThreads.OpeningStack);
        }
        catch (Exception ex)
        {
            // No thread could be made (memory, or the process's limit): the router must not fail for it.
            Unopened(node, workers, ex.Message);
            return Task.FromResult<INodeLink?>(null);
        }
        return opened.Task;
    }

    /// <summary>Opens a link on this thread, blocking; null if it cannot (logged), or if the router stopped meanwhile.</summary>
    private NodeLink? Open(Address node, string host, NodeWorkers workers, IActorRef router, TaskCompletionSource<INodeLink?> opened)
    {
        Socket? socket = null;
        PlaneConnection? connection = null;
        try
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }; // can fail too: out of file descriptors
            using var deadline = new OpeningDeadline(socket, _limit, _closing.Token, fired: () => opened.TrySetResult(null));
            try
            {
                socket.Connect(host, workers.PlanePort);
            }
            catch (Exception ex) when (deadline.Why("accept the connection") is { } why)
            {
                throw new IOException(why, ex);
            }
            var stream = PlaneOpening.Secure(socket, client: true, _trust, deadline);
            connection = new PlaneConnection(socket, stream, _system);
            PlaneOpening.SendHello(stream, Akka.Serialization.Serialization.WithTransport(_system, router, Akka.Serialization.Serialization.SerializedActorPath), deadline);
            PlaneOpening.ReadHello(stream, deadline);
            deadline.Met();
            var link = new NodeLink(this, node, connection, workers.Workers, router, (replyTo, ex) => _log.Error(ex, "ActorPool could not hand results to {0}.", replyTo));
            lock (_links)
            {
                if (!_disposed)
                {
                    _links.Add(link);
                    return link;
                }
            }
            link.Dispose(); // the router stopped while it opened
            return null;
        }
        catch (Exception ex)
        {
            if (connection is not null)
                connection.Dispose();
            else
                socket?.Dispose();
            if (!_closing.IsCancellationRequested) // the pool stopping is no news
                Unopened(node, workers, ex.Message);
            return null;
        }
    }

    /// <summary>Logs why no link to <paramref name="node"/> opened.</summary>
    private void Unopened(Address node, NodeWorkers workers, string why) =>
        _log.Warning("ActorPool could not open a data connection to the node at {0} (port {1}), so this pool reaches its workers through Akka.Remote "
            + "alone (slower one task at a time): {2}", node, workers.PlanePort, why);

    /// <summary>Closes every link opened, gives up those opening, and closes any that opens from now on.</summary>
    public void Dispose()
    {
        _closing.Cancel();
        NodeLink[] open;
        lock (_links)
        {
            _disposed = true;
            open = _links.ToArray();
            _links.Clear();
        }
        foreach (var link in open)
            link.Dispose();
    }

    private void Forget(NodeLink link)
    {
        lock (_links)
            _links.Remove(link);
    }

    /// <summary>One router's link to one node.</summary>
    /// <param name="links">The links it is one of.</param>
    /// <param name="node">The node's address.</param>
    /// <param name="connection">The open connection.</param>
    /// <param name="workers">The node's workers, by their index on the wire.</param>
    /// <param name="router">The router it serves.</param>
    /// <param name="log">Told of an exception a reply address threw as results were handed to it.</param>
    private sealed class NodeLink(NodeLinks links, Address node, PlaneConnection connection, IActorRef[] workers, IActorRef router, Action<IActorRef, Exception> log)
        : INodeLink
    {
        private readonly Dictionary<IActorRef, int> _index = workers.Select((worker, i) => (worker, i)).ToDictionary(pair => pair.worker, pair => pair.i, ActorRefComparer.Instance);

        public void Start() => connection.StartReading((party, message) =>
        {
            switch (message)
            {
                // Straight to their reply addresses, not through the router: a hop less on each
                // task's way back. The router needs none of it (it tracks batches, not results).
                case RoutedResults routed when party >= 0 && party < workers.Length:
                    routed.Deliver(log);
                    if (routed.Done is { } done)
                        router.Tell(done, workers[party]);
                    return true;
                case BatchDone or BatchRefused or WorkerRetiring when party >= 0 && party < workers.Length:
                    router.Tell(message, workers[party]);
                    return true;
                case TakenBack when party == PlaneFrame.NodeParty:
                    router.Tell(message, ActorRefs.NoSender);
                    return true;
                default:
                    return false;
            }
        }, reason =>
        {
            links.Forget(this);
            router.Tell(new NodeLinkLost(node, this, reason), ActorRefs.NoSender);
        });

        public bool Send(IActorRef? worker, object message)
        {
            if (worker is null)
                return connection.Send(PlaneFrame.NodeParty, message);
            if (_index.TryGetValue(worker, out var party))
                return connection.Send(party, message);
            // A worker the node did not name when the link opened (its host actor restarted with
            // new workers): the link is of no use for it; its end has the node asked again.
            connection.Abort($"{worker} is not one of the workers the node named when the link opened");
            return false;
        }

        public void Dispose()
        {
            links.Forget(this);
            connection.Dispose();
        }
    }
}
