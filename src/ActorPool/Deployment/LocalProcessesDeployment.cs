using ActorPool.Routing;
using Akka.Actor;

namespace ActorPool.Deployment;

/// <summary>
/// <see cref="PoolDeployment.LocalProcesses"/>: a cluster of the pool's own, on 127.0.0.1, whose
/// worker nodes are node host processes the pool starts, watches, replaces when one dies, and
/// stops with it. Everything else is as in a <see cref="ClusterDeployment"/>.
/// </summary>
internal sealed class LocalProcessesDeployment : ClusterDeployment
{
    private readonly int _processes;
    private readonly string? _nodeHostPath;
    private readonly PoolCertificate _certificate;
    private LocalNodes? _nodes;

    public LocalProcessesDeployment(PoolOptions options)
        : this(options, PoolCertificate.Create())
    {
    }

    /// <summary>Always over TLS, with a certificate of the pool's own (<see cref="PoolCertificate"/>), whatever <see cref="PoolOptions.Certificate"/> says.</summary>
    private LocalProcessesDeployment(PoolOptions options, PoolCertificate certificate)
        : base(options, DistributedDeployment.Validate(options), certificate.Trust, DistributedDeployment.Initializer(options))
    {
        _processes = options.Processes;
        _nodeHostPath = options.NodeHostPath;
        _certificate = certificate;
    }

    public override void Started(WorkerGroup group) =>
        _nodes = LocalNodes.Start(System, group.Workers, _processes, _nodeHostPath, _certificate);

    public override void Stopping() => _nodes?.Stop();

    /// <summary>
    /// The system terminates without its coordinated shutdown (no one is left to leave gracefully),
    /// so nothing stops the cluster's daemons before remoting, and a heartbeat they sent to a node
    /// in the moment between was logged as an error ("Remoting is not running"). They stop first,
    /// unless a coordinated shutdown (SIGTERM) is already taking the cluster down in order.
    /// </summary>
    public override async Task BeforeTerminateAsync()
    {
        if (System.WhenTerminated.IsCompleted || CoordinatedShutdown.Get(System).ShutdownReason is not null)
            return;
        var daemons = ((ExtendedActorSystem)System).SystemGuardian.GetChild(["cluster"]);
        if (daemons.IsNobody())
            return;
        var stopped = daemons.WatchAsync();
        System.Stop(daemons);
        await ((Task)stopped).WaitAsync(DaemonsStopLimit).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static readonly TimeSpan DaemonsStopLimit = TimeSpan.FromSeconds(5);

    // Worker processes go last, once this side has closed its connections to them: killed first,
    // they would be reported as failed associations, errors for a planned stop.
    public override void Stopped() => _nodes?.Dispose();
}
