using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Remote.Plane;

/// <summary>
/// On a node, a pool's router as seen through its data connection: the sender of the work and the
/// requests that arrive on the connection, so that every answer the node's workers and host actor
/// send their sender (batch ends, refusals, results, take-backs) goes back on it, after whatever
/// they sent before. It has the router's path, so the node knows the pool by it as by its remote
/// reference (its tasks, its claims, its driver's address when the driver leaves).
/// </summary>
/// <remarks>A message it is told once the connection has ended is lost, as one in flight on it is: the router counts both as lost with the node's workers.</remarks>
internal sealed class RouterProxy : MinimalActorRef
{
    private readonly PlaneConnection _connection;
    private readonly Dictionary<IActorRef, int> _workers;

    /// <param name="router">The router's remote reference, as the hello named it.</param>
    /// <param name="provider">The node's actor ref provider.</param>
    /// <param name="connection">The connection to the router's process.</param>
    /// <param name="workers">The node's workers, by their index on the wire.</param>
    public RouterProxy(IActorRef router, IActorRefProvider provider, PlaneConnection connection, IReadOnlyList<IActorRef> workers)
    {
        Path = router.Path;
        Provider = provider;
        _connection = connection;
        _workers = new Dictionary<IActorRef, int>(workers.Count, ActorRefComparer.Instance);
        for (var i = 0; i < workers.Count; i++)
            _workers[workers[i]] = i;
    }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider { get; }

    /// <summary>Writes the message to the connection, from the worker that sends it (any other sender is the node's host actor).</summary>
    protected override void TellInternal(object message, IActorRef sender) =>
        _connection.Send(sender is not null && _workers.TryGetValue(sender, out var worker) ? worker : PlaneFrame.NodeParty, message);
}
