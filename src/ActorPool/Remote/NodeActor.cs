using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Remote.Plane;
using ActorPool.Workers;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorPool.Remote;

/// <summary>
/// The actor a node host runs at <c>/user/actorpool-node</c>: it owns the node's workers (one per
/// core by default, on the worker dispatcher) and makes them known to every pool in the cluster.
/// Pools ask it when the node comes up; it also tells each pool that comes up, so that whichever of
/// the two starts first, the pool learns of the workers. It also cancels the tasks of a pool that
/// asks (<see cref="CancelTasks"/>) or whose driver has left the cluster. Its workers' mailboxes
/// hold the work waiting on this node to one limit for all peers together (<see cref="NodeQueue"/>).
/// </summary>
internal sealed class NodeActor : UntypedActor
{
    private readonly int _workers;
    private readonly bool _replaceByExit;
    private readonly List<IActorRef> _children = new();
    private readonly PoolsOnNode _pools = new();
    private bool _shuttingDown;
    private bool _retiring;
    private PlaneListener? _plane; // null when the data plane is off or cannot listen

    /// <param name="workers">Workers on this node.</param>
    /// <param name="replaceByExit">Whether a worker is replaced by replacing this process (a LocalProcesses worker, alone in its process, whose pool starts a fresh one when it exits).</param>
    public NodeActor(int workers, bool replaceByExit)
    {
        _workers = workers;
        _replaceByExit = replaceByExit;
    }

    public static Props Props(int workers, bool replaceByExit = false) => Akka.Actor.Props.Create(() => new NodeActor(workers, replaceByExit));

    protected override SupervisorStrategy SupervisorStrategy() => WorkerSupervision.Create(Context.GetLogger());

    protected override void PreStart()
    {
        var asyncItems = PoolSettings.AsyncItemsPerWorkerOf(Context.System.Settings.Config);
        var idleSpin = PoolSettings.IdleSpinOf(Context.System.Settings.Config);
        for (var i = 0; i < _workers; i++)
        {
            _children.Add(Context.ActorOf(
                WorkerActor.Props(initializer: null, maxTasks: null, CancellationToken.None, pool: null, _pools.Of, _pools.ClaimsOf, asyncItems, idleSpin, _replaceByExit)
                    .WithDispatcher(PoolSettings.WorkerDispatcherId)
                    .WithMailbox(NodeWorkerMailbox.Id), // refuses batches past the node's limit, whoever sends them
                $"worker-{i}"));
        }
        _plane = PlaneListener.Start((ExtendedActorSystem)Context.System, Self, _children);
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.ClusterShuttingDown));
    }

    protected override void PostStop()
    {
        _plane?.Dispose();
        Cluster.Get(Context.System).Unsubscribe(Self);
    }

    /// <summary>What this node tells pools of itself: its workers, and its end of the data plane.</summary>
    private NodeWorkers Workers() => new(_children.ToArray(), _plane?.Port ?? 0);

    /// <summary>Takes back what has not started of the batches asked for; tells the router what was, even if nothing: it then knows the rest has started.</summary>
    private void TakeBackFrom(TakeBack take, BatchClaims<IActorRef> claims)
    {
        var ids = new List<long>();
        var kept = new List<int>();
        foreach (var batchId in take.BatchIds)
        {
            if (claims.TakeBack(take.Worker, batchId) is { } from)
            {
                ids.Add(batchId);
                kept.Add(from);
            }
        }
        Sender.Tell(new TakenBack(take.Worker, ids.ToArray(), kept.ToArray()), Self);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case GetWorkers:
                Sender.Tell(Workers());
                break;
            case ClusterEvent.MemberUp up when up.Member.HasRole(ClusterNames.DriverRole):
                Context.ActorSelection(new RootActorPath(up.Member.Address) / "user" / ClusterNames.PoolRouter / ClusterNames.Workers)
                    .Tell(Workers(), Self);
                break;
            case ClusterEvent.MemberUp:
                break;
            // A worker replaced by its process: the node leaves the cluster, then the process exits.
            case WorkerRetiring when _replaceByExit:
                if (!_retiring)
                {
                    _retiring = true;
                    Context.GetLogger().Info("ActorPool worker {0} is replaced: this node leaves and its process exits.", Sender);
                    CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
                }
                break;
            // Here, not in the worker: it is busy running the long task the rest waits behind.
            case TakeBack take:
                TakeBackFrom(take, _pools.ClaimsOf(Sender));
                break;
            case CancelTasks cancel:
                // Here, not in the workers: they are busy running the very tasks to cancel.
                _pools.Cancel(Sender, cancel.JobId, cancel.ChunkIndex);
                break;
            // A node whose own cluster is shutting down hears every member removed: its drivers are not gone.
            case ClusterEvent.ClusterShuttingDown:
                _shuttingDown = true;
                break;
            case ClusterEvent.MemberRemoved removed when removed.Member.HasRole(ClusterNames.DriverRole) && !_shuttingDown:
                _pools.DriverGone(removed.Member.Address);
                _plane?.DriverGone(removed.Member.Address);
                break;
            case ClusterEvent.MemberRemoved:
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}
