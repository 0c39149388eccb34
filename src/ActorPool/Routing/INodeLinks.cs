using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Routing;

/// <summary>
/// Direct connections from a work-pulling router to the nodes whose workers it feeds, beside
/// remoting (the data plane: <c>ActorPool.Remote.Plane</c>). A router that has one for a node sends
/// everything for that node on it, and hears everything from it there, so that their order is
/// what one remoting association gives; membership, failure detection and death watch stay with Akka.
/// </summary>
internal interface INodeLinks
{
    /// <summary>
    /// Opens a link to the node at <paramref name="node"/>, which answered <paramref name="workers"/>,
    /// for <paramref name="router"/>: what arrives on it is told to the router in the name of the
    /// worker that sent it, and its end as a <see cref="NodeLinkLost"/>. Completes with null if the
    /// node offers none or it cannot be opened (the reason is logged): the node is then reached by
    /// remoting alone. Never fails.
    /// </summary>
    Task<INodeLink?> OpenAsync(Address node, NodeWorkers workers, IActorRef router);
}

/// <summary>A router's open link to one node (<see cref="INodeLinks"/>).</summary>
internal interface INodeLink : IDisposable
{
    /// <summary>Sends <paramref name="message"/> to the node's worker <paramref name="worker"/>, or to its host actor if null; false if the link has ended (the message is then as lost as one in flight).</summary>
    bool Send(IActorRef? worker, object message);
}
