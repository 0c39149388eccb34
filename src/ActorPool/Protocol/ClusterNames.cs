namespace ActorPool.Protocol;

/// <summary>
/// The names pools and node hosts find each other by in a cluster: actor paths and roles that both
/// sides must spell the same. <c>akka.tcp://actorpool@host:port/user/actorpool/workers</c> is a
/// pool's work-pulling router; <c>/user/actorpool-node</c> a node host's actor.
/// </summary>
internal static class ClusterNames
{
    /// <summary>The ActorSystem name of every member of a pool's cluster.</summary>
    public const string SystemName = "actorpool";

    /// <summary>The cluster role of processes that run a pool (its driver side).</summary>
    public const string DriverRole = "actorpool-driver";

    /// <summary>The name of a distributed pool's router actor, under <c>/user</c>.</summary>
    public const string PoolRouter = "actorpool";

    /// <summary>The name of the router that feeds a pool's workers, under the pool's router actor.</summary>
    public const string Workers = "workers";

    /// <summary>The name of a node host's actor, under <c>/user</c>, which owns the node's workers.</summary>
    public const string NodeActor = "actorpool-node";
}
