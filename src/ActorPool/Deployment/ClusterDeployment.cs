using ActorPool.Configuration;
using ActorPool.Lifecycle;
using ActorPool.Protocol;
using ActorPool.Remote;
using ActorPool.Routing;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Event;

namespace ActorPool.Deployment;

/// <summary>
/// <see cref="PoolDeployment.Cluster"/>: the pool is a member of a cluster of its own system and
/// uses the workers of the nodes with the worker role that join it (node hosts, started by
/// whoever runs the cluster). Work is encoded for the wire; functions must be static methods or
/// lambdas the nodes can load by name, a closure's captured values travelling with its work.
/// </summary>
internal class ClusterDeployment : WorkerDeployment
{
    /// <summary>The pool's initializer as its workers get it: a closure's values as they were when the pool was made.</summary>
    private readonly Action? _initializer;

    public ClusterDeployment(PoolOptions options)
        : this(options, DistributedDeployment.Validate(options), DistributedDeployment.Initializer(options))
    {
    }

    private ClusterDeployment(PoolOptions options, Address[] seeds, Action? initializer)
        : base(ActorSystem.Create(ClusterNames.SystemName, DriverSetup(options)), ownsSystem: true, ClusterNames.PoolRouter)
    {
        _initializer = initializer;
        DistributedDeployment.Join(System, seeds);
    }

    /// <summary>
    /// The driver's configuration. A <see cref="PoolDeployment.LocalProcesses"/> pool's worker
    /// processes exit on purpose (a worker replaced: MaxTasksPerChild, or a task left running past
    /// its timeout), and Akka.Remote reports each closed connection with a warning and an error,
    /// stack traces included, that say nothing the pool's own log line does not: those are left out.
    /// </summary>
    private static ActorSystemSetup DriverSetup(PoolOptions options)
    {
        var config = DistributedDeployment.DriverConfig(options).WithFallback(OwnSystemConfig.Get()).WithFallback(ReferenceConfig.Get());
        return options.Deployment == PoolDeployment.LocalProcesses
            ? OwnSystemSetup.Create(config, options.SystemSetup, new LogFilterBuilder().ExcludeMessageContaining("Disassociated").Build())
            : OwnSystemSetup.Create(config, options.SystemSetup);
    }

    public override WorkerGroup CreateWorkers(IActorContext context, PoolSettings settings, CancellationToken stopping, JobRegistry pool, TaskCancellation tasks) =>
        WorkerGroup.OfClusterNodes(context, settings with { Initializer = _initializer }, EncodedWork.Encode);

    public override void CheckFunction(Delegate func, string paramName, string? advice = null) => FunctionRef.Create(func, paramName, advice);

    public override TFunc FreezeFunction<TFunc>(TFunc func, string paramName, string? advice = null) => WireFunction.Freeze(func, paramName, advice);
}
