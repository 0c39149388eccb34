using ActorPool.Configuration;
using ActorPool.Lifecycle;
using ActorPool.Protocol;
using ActorPool.Remote;
using ActorPool.Remote.Plane;
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
        : this(options, DistributedDeployment.Validate(options), DistributedDeployment.TrustOf(options), DistributedDeployment.Initializer(options))
    {
    }

    /// <summary>
    /// A pool whose members trust <paramref name="trust"/>, over TLS, or speak plain TCP if it is
    /// null, joined to <paramref name="seeds"/> as <paramref name="options"/> say, whose workers run
    /// <paramref name="initializer"/> (<see cref="DistributedDeployment.Initializer"/>: made, and
    /// checked, before the system is).
    /// </summary>
    protected ClusterDeployment(PoolOptions options, Address[] seeds, PeerTrust? trust, Action? initializer)
        : base(ActorSystem.Create(ClusterNames.SystemName, DriverSetup(options, trust)), ownsSystem: true, ClusterNames.PoolRouter)
    {
        _initializer = initializer;
        DistributedDeployment.Join(System, seeds);
    }

    /// <summary>
    /// The driver's configuration. Nodes leave (a node host stopped, a <see cref="PoolDeployment.LocalProcesses"/>
    /// worker replaced: MaxTasksPerChild, or a task left running past its timeout) and die, and
    /// Akka.Remote reports each closed connection with an error, stack trace included, that says
    /// nothing the pool's own log line (the node's workers lost or leaving, their work sent
    /// again) does not: it is left out.
    /// Over TLS, so are Akka's repeats of a refused connection (<see cref="TlsTransport.QuietRetries"/>).
    /// On plain TCP, the configuration as the system will have it must stay on loopback, unless
    /// the options allow otherwise (<see cref="DistributedDeployment.RefusePlainTcpOffLoopback"/>).
    /// </summary>
    private static ActorSystemSetup DriverSetup(PoolOptions options, PeerTrust? trust)
    {
        var config = DistributedDeployment.DriverConfig(options).WithFallback(OwnSystemConfig.Get()).WithFallback(ReferenceConfig.Get());
        var filters = new LogFilterBuilder().ExcludeMessageContaining("Disassociated");
        if (trust is null) // a Cluster pool on plain TCP: LocalProcesses pools always have a certificate
        {
            var setup = OwnSystemSetup.Create(config, options.SystemSetup, filters.Build());
            DistributedDeployment.RefusePlainTcpOffLoopback(options, setup.Get<BootstrapSetup>().Value.Config.Value);
            return setup;
        }
        // Over SystemSetup's configuration too, as over a node's --config file: the certificate decides.
        return OwnSystemSetup.Over(OwnSystemSetup.Create(config, options.SystemSetup, new TlsSetup(trust), TlsTransport.QuietRetries(filters).Build()), TlsSetup.Config);
    }

    public override WorkerGroup CreateWorkers(IActorContext context, PoolSettings settings, CancellationToken stopping, JobRegistry pool, TaskCancellation tasks) =>
        WorkerGroup.OfClusterNodes(context, settings with { Initializer = _initializer }, EncodedWork.Encode, NodeLinks.For(System));

    public override void CheckFunction(Delegate func, string paramName, string? advice = null) => FunctionRef.Create(func, paramName, advice);

    public override TFunc FreezeFunction<TFunc>(TFunc func, string paramName, string? advice = null) => WireFunction.Freeze(func, paramName, advice);
}
