using ActorPool.Remote;
using ActorPool.Routing;

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
    private LocalNodes? _nodes;

    public LocalProcessesDeployment(PoolOptions options)
        : base(options)
    {
        _processes = options.Processes;
        _nodeHostPath = options.NodeHostPath;
    }

    public override void Started(WorkerGroup group) =>
        _nodes = LocalNodes.Start(System, group.Workers, _processes, _nodeHostPath);

    public override void Stopping() => _nodes?.Stop();

    // Worker processes go last, once this side has closed its connections to them: killed first,
    // they would be reported as failed associations, errors for a planned stop.
    public override void Stopped() => _nodes?.Dispose();
}
