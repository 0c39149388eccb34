using ActorPool.Configuration;
using ActorPool.Lifecycle;
using ActorPool.Protocol;
using ActorPool.Remote;
using ActorPool.Routing;
using Akka.Actor;

namespace ActorPool.Deployment;

/// <summary>
/// <see cref="PoolDeployment.Cluster"/>: the pool is a member of a cluster of its own system and
/// uses the workers of the nodes with the worker role that join it (node hosts, started by
/// whoever runs the cluster). Work is encoded for the wire; functions must be static methods the
/// nodes can load by name.
/// </summary>
internal class ClusterDeployment : WorkerDeployment
{
    public ClusterDeployment(PoolOptions options)
        : this(options, DistributedDeployment.Validate(options))
    {
    }

    private ClusterDeployment(PoolOptions options, Address[] seeds)
        : base(ActorSystem.Create(ClusterNames.SystemName,
                DistributedDeployment.DriverConfig(options).WithFallback(OwnSystemConfig.Get()).WithFallback(ReferenceConfig.Get())),
            ownsSystem: true, ClusterNames.PoolRouter)
    {
        DistributedDeployment.Join(System, seeds);
    }

    public override WorkerGroup CreateWorkers(IActorContext context, PoolSettings settings, CancellationToken stopping, JobRegistry pool, TaskCancellation tasks) =>
        WorkerGroup.OfClusterNodes(context, settings, EncodedWork.Encode);

    public override void CheckFunction(Delegate func, string paramName) => FunctionRef.Create(func, paramName);
}
