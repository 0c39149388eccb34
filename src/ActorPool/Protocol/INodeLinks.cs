using Akka.Actor;

namespace ActorPool.Protocol;

/// <summary>
/// Direct connections from a work-pulling router to the nodes whose workers it feeds, beside
/// remoting (the data plane: <c>ActorPool.Remote.Plane</c>). A router that has one for a node sends
/// everything for that node on it, and hears everything from it there, so that their order is
/// what one remoting association gives; membership, failure detection and death watch stay with Akka.
/// </summary>
internal interface INodeLinks : IDisposable
{
    /// <summary>
    /// Opens a link to the node at <paramref name="node"/>, which answered <paramref name="workers"/>,
    /// for <paramref name="router"/>, not yet reading (<see cref="INodeLink.Start"/>). Completes
    /// with null if the node offers none or it cannot be opened (the reason is logged): the node
    /// is then reached by remoting alone. Never fails. A link that opens after these links were
    /// disposed (the router stopped meanwhile) is closed, and null returned.
    /// </summary>
    Task<INodeLink?> OpenAsync(Address node, NodeWorkers workers, IActorRef router);
}

/// <summary>A router's open link to one node (<see cref="INodeLinks"/>).</summary>
internal interface INodeLink : IDisposable
{
    /// <summary>
    /// Starts reading: what arrives is told to the router in the name of the worker that sent it
    /// (a node's results go straight to their reply addresses), and the link's end as a
    /// <see cref="NodeLinkLost"/>, at once if it ended before this. Called once the router holds
    /// the link, so that no end goes unheard.
    /// </summary>
    void Start();

    /// <summary>
    /// Sends <paramref name="message"/> to the node's worker <paramref name="worker"/>, or to its
    /// host actor if null; false if the link has ended, before or because of this (a worker it
    /// does not know ends it): the message is then as lost as one in flight, and the router hears
    /// a <see cref="NodeLinkLost"/>. Never throws, never waits on the node.
    /// </summary>
    bool Send(IActorRef? worker, object message);
}
