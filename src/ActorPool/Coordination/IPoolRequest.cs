using ActorPool.Configuration;
using ActorPool.Deployment;
using ActorPool.Lifecycle;
using ActorPool.Routing;
using Akka.Actor;

namespace ActorPool.Coordination;

/// <summary>What a request from another actor needs from the pool's actor (<see cref="PoolRouterActor"/>) to make its job.</summary>
internal sealed record RequestScope(WorkerGroup Group, JobRegistry Registry, PoolSettings Settings, WorkerDeployment Deployment, ActorSystem System)
{
    public IActorRefProvider Provider => ((ExtendedActorSystem)System).Provider;
}

/// <summary>A public request message the pool's actor (<see cref="PoolRouterActor"/>) accepts from other actors.</summary>
internal interface IPoolRequest
{
    /// <summary>
    /// Checks the request and registers its job; returns the job for the pool's actor to start like any
    /// other, or null when there is nothing to start (refused with a reply, already answered, or
    /// sent to the workers already).
    /// </summary>
    IJobStart? Accept(RequestScope scope, IActorRef requester);
}
