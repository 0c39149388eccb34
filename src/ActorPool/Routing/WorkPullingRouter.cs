using System.Diagnostics;
using ActorPool.Configuration;
using ActorPool.Observability;
using ActorPool.Protocol;
using ActorPool.Workers;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorPool.Routing;

/// <summary>
/// <see cref="PoolRouting.WorkPulling"/>: work waits here, not in the workers' mailboxes, and
/// goes to the worker with the least work in flight as soon as it has room. A busy worker is never
/// handed work an idle one could start, which Akka's SmallestMailbox (it sees queue length only)
/// cannot promise.
/// </summary>
/// <remarks>
/// <para>This actor only wires messages and cluster membership to two pure parts: the
/// <see cref="WorkQueue"/> (what waits, and how it is cut into batches) and the
/// <see cref="LossLedger{TWorker}"/> (which worker holds what, and who is blamed when one dies).
/// Every chunk received is in one of them until its worker reports it done, its job drops it, or
/// it fails (it lost too many workers, or no worker can take it).</para>
/// <para>With workers in other processes (no local worker props), workers are found on cluster
/// nodes with the worker role, and a worker lost with its node (unreachable, left, removed, or its
/// actor terminated) has its in-flight chunks queued again, first in line. Akka's cluster routers
/// drop such messages silently. A chunk lost with its worker more than the allowed number of times
/// fails with <see cref="WorkerLostException"/>; results are de-duplicated by the coordinators, so
/// a chunk sent twice counts once.</para>
/// <para>Stragglers: once nothing waits and a worker is idle, the chunks other workers hold but
/// have not started are taken back (<see cref="BatchClaims{TWorker}"/>: directly in process, through
/// each node's host actor otherwise) and handed to the idle one, so none waits behind a long task.
/// A worker is asked once per batch it is sent. Then, for speculative jobs, a chunk that has run
/// much longer than its job's typical one gets a copy on an idle worker (<see cref="Speculation{TWorker}"/>);
/// when either copy's batch is done, the other copy is cancelled, and the coordinators count the
/// chunk's result once.</para>
/// <para>A node whose workers have as much work waiting as it takes from all its peers refuses a
/// batch (<see cref="BatchRefused"/>) before queueing it: the batch is forgotten in the ledger and
/// its chunks queued again, first in line, and that worker gets nothing until it reports a batch
/// done or <see cref="RefusedRetry"/> has passed.</para>
/// </remarks>
internal sealed class WorkPullingRouter : UntypedActor, IWithTimers
{
    private sealed class NoWorkerDeadline(int generation)
    {
        public int Generation { get; } = generation;
    }

    /// <summary>A worker whose node refused it a batch may be sent work again.</summary>
    private sealed record RetryRefused(IActorRef Worker);

    /// <summary>Time to ask a node whose link ended for its workers again, if it is still a member.</summary>
    private sealed record RetryLink(Address Node);

    /// <summary>
    /// How long after its link ended a node is asked for its workers again: long enough for a node
    /// whose process died to be known as gone first (at once for a LocalProcesses worker, whose
    /// process the pool watches), so that a link that ended with its node is not opened again.
    /// </summary>
    internal static readonly TimeSpan LinkRetry = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a worker whose node refused it a batch gets nothing, unless it reports a batch done
    /// first: the node is full (of other pools' work, or a rogue peer's), and what it refused would
    /// otherwise go straight back to it, again and again.
    /// </summary>
    internal static readonly TimeSpan RefusedRetry = TimeSpan.FromSeconds(1);

    /// <summary>Time to look for stragglers of speculative jobs again.</summary>
    private sealed class SpeculationTick
    {
        public static readonly SpeculationTick Instance = new();
    }

    private readonly Props? _localWorkerProps;
    private readonly PoolSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<Address> _otherVersions = new(); // nodes of another ActorPool version, told of once
    private readonly HashSet<Address> _refusingNodes = new(); // nodes that refused a batch, told of once
    private readonly WorkQueue _queue;
    private readonly LossLedger<IActorRef> _ledger;
    private readonly Action<IActorRef, RunBatch> _send;
    private readonly BatchClaims<IActorRef>? _localClaims;
    private readonly TaskCancellation? _localTasks;
    private readonly Speculation<IActorRef> _speculation;
    private ICancelable? _speculationTimer;
    // Workers asked to give back what they have not started, since they were last sent a batch.
    private readonly HashSet<IActorRef> _askedToGiveBack = new(ActorRefComparer.Instance);
    // Workers whose answer to that came back: all they hold has started (speculation copies only those).
    private readonly HashSet<IActorRef> _allStarted = new(ActorRefComparer.Instance);
    // Worker-role nodes that are Up, as this router's own cluster events say: Cluster.State is a
    // read view updated asynchronously, which can lag behind the events and so refuse a node's
    // answer to the very request its MemberUp triggered.
    private readonly HashSet<Address> _workerNodes = new();
    private ICancelable? _noWorkerTimer;
    private string? _cannotStart; // set when no worker can ever join: pending work fails at once
    private int _noWorkerGeneration;
    private bool _restarting;
    private readonly WorkerBoard? _board;
    // The data plane: links to nodes (null when it is off, or the workers are in process). A node
    // with a link gets everything on it; one whose link is being opened has no worker here yet, so
    // gets nothing until it is; one whose link could not be opened gets everything by remoting.
    private readonly INodeLinks? _nodeLinks;
    private readonly Dictionary<Address, INodeLink> _links = new();
    private readonly HashSet<Address> _opening = new();

    /// <param name="localWorkerProps">Props of local workers, one per process; null to use the workers of cluster nodes.</param>
    /// <param name="settings">The pool's settings.</param>
    /// <param name="claims">What the local workers have started of their batches; null for workers of other processes, whose nodes are asked.</param>
    /// <param name="tasks">The cancellation of the local workers' tasks; null for workers of other processes, whose nodes are told.</param>
    /// <param name="links">Links to the nodes, beside remoting; null for none (remoting alone, or workers in process).</param>
    public WorkPullingRouter(Props? localWorkerProps, PoolSettings settings, BatchClaims<IActorRef>? claims, TaskCancellation? tasks, INodeLinks? links = null)
    {
        _nodeLinks = links;
        _localClaims = claims;
        _localTasks = tasks;
        _speculation = new Speculation<IActorRef>(settings.Speculation);
        _localWorkerProps = localWorkerProps;
        _settings = settings;
        _queue = new WorkQueue(settings.BatchDivisor, settings.MaxBatch);
        _ledger = new LossLedger<IActorRef>(settings.MaxWorkerLosses, settings.MessagesInFlightPerWorker);
        // Workers of other processes serve any pool: each batch carries this pool's terms for them.
        var terms = localWorkerProps is null && (settings.Initializer is not null || settings.MaxTasksPerChild is not null)
            ? new WorkerTerms(settings.Initializer, settings.MaxTasksPerChild)
            : null;
        // Workers in this process tell the board what they run; for those of other processes, this router does.
        _board = localWorkerProps is null ? settings.Telemetry.Board : null;
        _send = (worker, batch) =>
        {
            _askedToGiveBack.Remove(worker);
            _allStarted.Remove(worker);
            _speculation.Sent(batch.BatchId, batch.Chunks, Stopwatch.GetTimestamp());
            if (_board is { Watched: true })
                _board.Sent(worker, batch.BatchId, batch.Chunks[0].JobId, batch.Chunks.Sum(chunk => chunk.Work.Count));
            Send(worker, terms is null ? batch : batch with { Terms = terms });
        };
    }

    public static Props Props(Props? localWorkerProps, PoolSettings settings, BatchClaims<IActorRef>? claims, TaskCancellation? tasks, INodeLinks? links = null) =>
        Akka.Actor.Props.Create(() => new WorkPullingRouter(localWorkerProps, settings, claims, tasks, links));

    private bool UsesClusterWorkers => _localWorkerProps is null;

    /// <summary>This actor's timers (Akka sets them), cancelled when it stops.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    protected override SupervisorStrategy SupervisorStrategy() => WorkerSupervision.Create(_log);

    protected override void PreStart()
    {
        if (UsesClusterWorkers)
        {
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
            return;
        }
        for (var i = 0; i < _settings.Processes; i++)
            AddWorker(Context.ActorOf(_localWorkerProps!, $"worker-{i}"));
        _settings.Telemetry.WorkersChanged(_ledger.WorkerCount);
    }

    protected override void PostStop()
    {
        _noWorkerTimer?.Cancel();
        _speculationTimer?.Cancel();
        if (!UsesClusterWorkers)
            return;
        Cluster.Get(Context.System).Unsubscribe(Self);
        // The pool is stopping: whatever of it still runs on a node is of no use. By remoting, not
        // on the links closed next: a socket closed with data unread can lose what it last sent.
        if (!_restarting)
        {
            foreach (var address in _workerNodes)
                NodeActorAt(address).Tell(new CancelTasks(null), Self);
        }
        foreach (var link in _links.Values)
            link.Dispose();
        _links.Clear();
        if (!_restarting)
            _nodeLinks?.Dispose(); // and those still opening
    }

    protected override void PreRestart(Exception reason, object message)
    {
        // A restart keeps this router's address, which nodes would then hold as cancelled for good.
        _restarting = true;
        base.PreRestart(reason, message);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case RunChunk chunk:
                _queue.Enqueue(chunk);
                Dispatch();
                break;
            case BatchDone done:
                Ended(Sender, done);
                break;
            case BatchRefused refused:
                Refused(Sender, refused.BatchId);
                break;
            case RetryRefused retry:
                if (_ledger.Resume(retry.Worker))
                    Dispatch();
                break;
            case SpeculationTick:
                if (_speculation.Watching)
                    Speculate();
                else
                {
                    _speculationTimer?.Cancel();
                    _speculationTimer = null;
                }
                break;
            case TakenBack taken:
                for (var i = 0; i < taken.BatchIds.Length; i++)
                {
                    var takenBack = _ledger.Shrink(taken.Worker, taken.BatchIds[i], taken.Kept[i]);
                    _queue.Requeue(takenBack);
                    if (_board is { Watched: true })
                        _board.TakenBack(taken.Worker, taken.BatchIds[i], ItemsOf(takenBack));
                }
                if (_askedToGiveBack.Contains(taken.Worker))
                    _allStarted.Add(taken.Worker); // not sent anything since it was asked
                Dispatch();
                break;
            case RoutedResults routed:
                Deliver(routed);
                if (routed.Done is { } ended)
                    Ended(Sender, ended);
                break;
            // After its last BatchDone: what it still holds waits unrun in its mailbox, and goes elsewhere unblamed.
            case WorkerRetiring when _ledger.Has(Sender):
                LoseWorker(Sender, "is being replaced", crashed: false);
                Dispatch();
                break;
            case WorkerRetiring:
                break;
            case DropJob drop:
                _ledger.Forget(_queue.Drop(drop.JobId));
                if (UsesClusterWorkers)
                    TellNodes(new CancelTasks(drop.JobId));
                break;
            case NodeWorkers node when !UsesClusterWorkers || IsWorkerNode(Sender.Path.Address):
                var nodeAddress = Sender.Path.Address;
                if (_opening.Contains(nodeAddress))
                    break; // its workers come with the link being opened
                if (_nodeLinks is not null && !_links.ContainsKey(nodeAddress) && !HasWorkersOn(nodeAddress))
                {
                    // Nothing goes to the node before its link is open (or known not to be), so that
                    // all it is sent goes one way, in order. A node already served by remoting (its
                    // link could not be opened) stays so until its workers are lost.
                    _opening.Add(nodeAddress);
                    _nodeLinks.OpenAsync(nodeAddress, node, Self).PipeTo(Self, Self, link => new NodeLinkOpened(nodeAddress, node, link));
                    break;
                }
                AddWorkers(node.Workers);
                break;
            case NodeLinkOpened opened:
                _opening.Remove(opened.Node);
                if (!IsWorkerNode(opened.Node))
                {
                    opened.Link?.Dispose(); // the node went while its link opened: its next MemberUp, if any, asks again
                    break;
                }
                if (opened.Link is not null)
                {
                    _links[opened.Node] = opened.Link;
                    opened.Link.Start(); // now that it is held here, its end cannot go unheard
                }
                AddWorkers(opened.Workers.Workers);
                break;
            case NodeLinkLost lost when _links.TryGetValue(lost.Node, out var current) && ReferenceEquals(current, lost.Link):
                // What it carried may be lost either way: counted so, as with a node that died.
                _links.Remove(lost.Node);
                lost.Link.Dispose();
                // Logged as a warning by LoseWorker only if work was in flight: a LocalProcesses worker
                // that retired, or a pool that stops, closes its link as a matter of course.
                _log.Debug("ActorPool's data connection to the node at {0} ended: {1}", lost.Node, lost.Reason);
                // Blamed as a node that became unreachable is: only what was running, since a
                // connection may end without a worker dying (a reset, a node's host actor restarted).
                // The node is not told: what it still holds of this router runs there for nobody,
                // its results going with the connection; the copies sent again count once.
                LoseWorkersOn(lost.Node, "lost its data connection", crashed: true, runningOnly: true);
                Timers.StartSingleTimer((typeof(RetryLink), lost.Node), new RetryLink(lost.Node), LinkRetry);
                Dispatch();
                break;
            case NodeLinkLost:
                break; // a link already given up (its node was lost)
            case RetryLink retry when IsWorkerNode(retry.Node) && !_links.ContainsKey(retry.Node) && !_opening.Contains(retry.Node):
                AskForWorkers(retry.Node);
                break;
            case RetryLink:
                break;
            case GetLinkedNodes:
                Sender.Tell(new LinkedNodes(_links.Keys.ToArray()));
                break;
            case NodeWorkers:
                break; // a node without the worker role, or not (yet) an Up member: its MemberUp, if any, asks again
            case NodeOfAnotherVersion other:
                if (_otherVersions.Add(Sender.Path.Address))
                {
                    _log.Error("The node at {0} runs ActorPool {1}, and this pool ActorPool {2}: its workers are not used. Run one version of "
                        + "ActorPool on the pool and every node (a node host's is its own, the actorpool-node tool's package version).",
                        Sender.Path.Address, other.Version.Length > 100 ? other.Version[..100] + "…" : other.Version, other.Ours);
                }
                break;
            case ClusterEvent.MemberUp up when IsWorkerNode(up.Member):
                _workerNodes.Add(up.Member.Address);
                AskForWorkers(up.Member.Address);
                break;
            case ClusterEvent.ReachableMember reachable when IsWorkerNode(reachable.Member) && reachable.Member.Status == MemberStatus.Up:
                _workerNodes.Add(reachable.Member.Address);
                AskForWorkers(reachable.Member.Address);
                break;
            case ClusterEvent.UnreachableMember unreachable:
                // Unreachable may be a crash or only a stall (a loaded machine): blame only what was running.
                LoseNode(unreachable.Member.Address, "became unreachable", crashed: true, runningOnly: true);
                break;
            // A node that leaves (SIGTERM, Ctrl-C) hands its work back: what it held is queued
            // again, and no chunk is blamed, since none of them brought the node down.
            case ClusterEvent.MemberLeft left:
                LoseNode(left.Member.Address, "is leaving the cluster", crashed: false);
                break;
            case ClusterEvent.MemberExited exited:
                LoseNode(exited.Member.Address, "left the cluster", crashed: false);
                break;
            case ClusterEvent.MemberRemoved removed:
                LoseNode(removed.Member.Address, "was removed from the cluster", crashed: false);
                break;
            case ClusterEvent.IMemberEvent or ClusterEvent.IReachabilityEvent:
                break;
            case Terminated terminated when _ledger.Has(terminated.ActorRef):
                LoseWorker(terminated.ActorRef, "stopped", crashed: true);
                Dispatch();
                break;
            case NodeLost nodeLost:
                LoseNode(nodeLost.Address, nodeLost.Reason, crashed: true);
                break;
            case NoWorkerDeadline deadline when deadline.Generation == _noWorkerGeneration && _ledger.WorkerCount == 0:
                FailPending(new TimeoutException(NoWorkerMessage(_settings.NoWorkerTimeout, _settings.Deployment, _settings.WorkerRole)));
                break;
            case NoWorkerDeadline:
                break; // a worker joined in time, or a later deadline replaced this one
            case WorkersCannotStart cannotStart:
                _cannotStart = cannotStart.Reason;
                Dispatch();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Hands results that came through this router to their reply addresses.</summary>
    /// <remarks>
    /// A reply address may be a job's reply ref, whose handler runs here: whatever one throws is
    /// logged, never allowed to restart this router, which would lose every queued chunk.
    /// </remarks>
    private void Deliver(RoutedResults routed) =>
        routed.Deliver((replyTo, ex) => _log.Error(ex, "ActorPool could not hand results to {0}.", replyTo));

    /// <summary>
    /// <paramref name="worker"/>'s node refused its batch <paramref name="batchId"/> (it is full):
    /// none of it ran, so it goes back to the front of the queue as if never sent, and the worker
    /// gets nothing until it reports a batch done or <see cref="RefusedRetry"/> has passed.
    /// </summary>
    private void Refused(IActorRef worker, long batchId)
    {
        if (_ledger.Refuse(worker, batchId) is not { } again)
            return; // a batch given up on when its worker was lost: its chunks were queued again then
        _speculation.Unsent(batchId);
        _board?.Done(worker, batchId, unrun: int.MaxValue);
        _queue.Requeue(again);
        if (_refusingNodes.Add(worker.Path.Address))
        {
            _log.Warning("The node at {0} refused a batch of this pool's work: it holds as much waiting as it takes from all peers "
                + "(actorpool.remote.node-queue on the node). The work is sent again, to it once it has room or to other nodes; "
                + "later refusals by this node are not logged.", worker.Path.Address);
        }
        Timers.StartSingleTimer((typeof(RetryRefused), worker), new RetryRefused(worker), RefusedRetry); // one per worker
        Dispatch();
    }

    /// <summary>
    /// Why pending work failed when no worker came in time, and what to do: start nodes for a
    /// cluster; for LocalProcesses, whose workers the pool starts itself, look at what they said.
    /// </summary>
    internal static string NoWorkerMessage(TimeSpan timeout, PoolDeployment deployment, string workerRole) =>
        $"No worker joined the pool within {timeout.TotalSeconds:0.#} s, so its pending tasks fail. "
        + (deployment == PoolDeployment.LocalProcesses
            ? "The pool's worker processes did not report ready: the warnings they printed (\"Worker process ...\") say why. "
                + "They run the node host the ActorPool package puts in actorpool-node/ beside the application, or PoolOptions.NodeHostPath."
            : $"Start nodes with the role '{workerRole}' that join the pool's cluster.");

    private bool IsWorkerNode(Member member) => member.HasRole(_settings.WorkerRole);

    private bool IsWorkerNode(Address address) => _workerNodes.Contains(address);

    private void AskForWorkers(Address address) => NodeActorAt(address).Tell(GetWorkers.Instance, Self);

    /// <summary>Adds the workers a node answered, those not known yet, and watches them.</summary>
    private void AddWorkers(IActorRef[] workers)
    {
        foreach (var worker in workers.Where(worker => !_ledger.Has(worker)))
        {
            Context.Watch(worker);
            AddWorker(worker);
        }
        _settings.Telemetry.WorkersChanged(_ledger.WorkerCount);
        Dispatch();
    }

    private bool HasWorkersOn(Address node) => _ledger.Workers.Any(worker => worker.Path.Address == node);

    /// <summary>Sends <paramref name="message"/> to a worker: on its node's link, if it has one, or by remoting (or in process).</summary>
    /// <remarks>A send on a link that has ended is lost with what was in flight on it: the link's <see cref="NodeLinkLost"/>, which always comes, sends it again.</remarks>
    private void Send(IActorRef worker, object message)
    {
        if (_links.Count > 0 && _links.TryGetValue(worker.Path.Address, out var link))
            link.Send(worker, message);
        else
            worker.Tell(message, Self);
    }

    /// <summary>Sends <paramref name="message"/> to the host actor of the node at <paramref name="address"/>, on its link if it has one.</summary>
    private void TellNode(Address address, object message)
    {
        if (_links.TryGetValue(address, out var link))
            link.Send(null, message);
        else
            NodeActorAt(address).Tell(message, Self);
    }

    private ActorSelection NodeActorAt(Address address) =>
        Context.ActorSelection(new RootActorPath(address) / "user" / ClusterNames.NodeActor);

    /// <summary>Tells the host actor of every worker node that is up; the nodes' workers are busy running tasks.</summary>
    private void TellNodes(object message)
    {
        foreach (var address in _workerNodes)
            TellNode(address, message);
    }

    /// <summary>The items of <paramref name="chunks"/>, for the board: counted only while it is watched.</summary>
    private static int ItemsOf(IReadOnlyCollection<RunChunk> chunks) => chunks.Sum(chunk => chunk.Work.Count);

    private void AddWorker(IActorRef worker)
    {
        _ledger.Add(worker);
        _board?.Joined(worker);
        _noWorkerTimer?.Cancel();
        _noWorkerTimer = null;
        _cannotStart = null; // a worker did come after all
    }

    private void LoseNode(Address address, string reason, bool crashed, bool runningOnly = false)
    {
        _workerNodes.Remove(address);
        if (_links.Remove(address, out var link))
            link.Dispose();
        LoseWorkersOn(address, reason, crashed, runningOnly);
        Dispatch();
    }

    /// <summary>Every worker of the node at <paramref name="node"/> is gone (<see cref="LoseWorker"/>), for <paramref name="reason"/>.</summary>
    private void LoseWorkersOn(Address node, string reason, bool crashed, bool runningOnly)
    {
        foreach (var worker in _ledger.Workers.Where(worker => worker.Path.Address == node).ToList())
            LoseWorker(worker, $"on {node} {reason}", crashed, runningOnly);
    }

    /// <summary>The worker is gone: what it held goes back to the front of the queue, or fails if it has lost too many workers.</summary>
    private void LoseWorker(IActorRef worker, string reason, bool crashed, bool runningOnly = false)
    {
        Context.Unwatch(worker);
        _askedToGiveBack.Remove(worker);
        _allStarted.Remove(worker);
        _speculation.Lost(worker, _ledger.BatchesOf(worker).Select(batch => batch.Id).ToList());
        var loss = _ledger.Lose(worker, crashed, runningOnly);
        _board?.Left(worker, crashed ? reason : null);
        _settings.Telemetry.WorkersChanged(_ledger.WorkerCount);
        if (crashed)
            _settings.Telemetry.WorkerLost(); // one that left or retired handed its work back: not a loss
        foreach (var (chunk, losses) in loss.Failed)
        {
            Fail(chunk, new WorkerLostException(
                $"Chunk {chunk.ChunkIndex} of job {chunk.JobId} (input positions {chunk.Offset} to {chunk.Offset + chunk.Work.Count - 1}) "
                + $"was running on {losses} workers that died; it fails rather than take down another. The last worker {reason}."));
        }
        if (loss.Again.Count > 0)
        {
            // A worker that crashed is news; one that left or was replaced handed its work back as planned.
            _log.Log(crashed ? LogLevel.WarningLevel : LogLevel.InfoLevel,
                "ActorPool worker {0} {1}: sending its {2} chunks in flight to other workers.", [worker, reason, loss.Again.Count]);
            _queue.Requeue(loss.Again);
        }
    }

    private void Dispatch()
    {
        if (_ledger.WorkerCount > 0)
        {
            _queue.DispatchTo(_ledger, _send);
            if (_queue.Count == 0)
                TakeBackFromStragglers();
            if (_queue.Count == 0)
                Speculate();
        }
        else if (_cannotStart is not null)
            FailPending(new InvalidOperationException($"The pool has no worker and cannot start one: {_cannotStart}"));
        else
            StartNoWorkerTimer();
    }

    /// <summary>
    /// Nothing waits and a worker idles: asks each worker holding more than it can be running for
    /// what it has not started. Local workers' claims answer at once, and what they give back is
    /// dispatched here; a node answers with a <see cref="TakenBack"/>.
    /// </summary>
    private void TakeBackFromStragglers()
    {
        foreach (var (worker, batchIds) in _ledger.Stragglers())
        {
            if (!_askedToGiveBack.Add(worker))
                continue;
            if (_localClaims is null)
            {
                TellNode(worker.Path.Address, new TakeBack(worker, batchIds));
                continue;
            }
            foreach (var batchId in batchIds)
            {
                if (_localClaims.TakeBack(worker, batchId) is { } kept)
                    _queue.Requeue(_ledger.Shrink(worker, batchId, kept));
            }
            _allStarted.Add(worker);
        }
        if (_queue.Count > 0)
            _queue.DispatchTo(_ledger, _send);
    }

    /// <summary><paramref name="worker"/> ended its batch: what it did not run is queued again, and it may be sent more.</summary>
    private void Ended(IActorRef worker, BatchDone done)
    {
        // Chunks taken back that the node's word has not brought yet.
        var notRun = _ledger.Shrink(worker, done.BatchId, done.Kept);
        _queue.Requeue(notRun);
        if (_board is { Watched: true })
            _board.Done(worker, done.BatchId, ItemsOf(notRun) + ItemsOf(done.Returned));
        Finished(worker, done);
        var returned = _ledger.StillToRun(worker, done.Returned);
        // False for a batch already given up on (its worker was lost): its chunks were queued again.
        if (_ledger.Complete(worker, done.BatchId, done.Returned))
            _queue.Requeue(returned);
        Dispatch();
    }

    /// <summary>
    /// Before <paramref name="worker"/>'s batch is completed in the ledger: its time per item is a
    /// sample for speculation, and of the chunks it ran whose copy runs elsewhere, the other copies
    /// are cancelled, this one having won.
    /// </summary>
    private void Finished(IActorRef worker, BatchDone done)
    {
        if (_speculation.Watching && _ledger.BatchesOf(worker).FirstOrDefault() is { Chunks: { } chunks } oldest && oldest.Id == done.BatchId)
        {
            var unrun = done.Returned.Select(chunk => (chunk.JobId, chunk.ChunkIndex)).ToHashSet();
            _speculation.Done(worker, done.BatchId, chunks.Where(chunk => !unrun.Contains((chunk.JobId, chunk.ChunkIndex))).ToList(), Stopwatch.GetTimestamp());
        }
        foreach (var (chunk, others) in _ledger.EndCopies(worker, done.BatchId, done.Returned))
        {
            foreach (var other in others)
            {
                if (_localTasks is not null)
                    _localTasks.CancelChunk(chunk.JobId, chunk.ChunkIndex);
                else
                    TellNode(other.Path.Address, new CancelTasks(chunk.JobId, chunk.ChunkIndex));
            }
        }
    }

    /// <summary>
    /// Nothing waits: gives a copy of each straggler of a speculative job to an idle worker, while
    /// there is one, and looks again every <see cref="SpeculationSettings.CheckInterval"/> while such jobs have work out.
    /// </summary>
    private void Speculate()
    {
        if (!_speculation.Watching)
            return;
        _speculationTimer ??= Context.System.Scheduler.ScheduleTellRepeatedlyCancelable(
            _settings.Speculation.CheckInterval, _settings.Speculation.CheckInterval, Self, SpeculationTick.Instance, Self);
        if (_queue.Count > 0)
            return;
        foreach (var (straggler, chunk) in _speculation.Stragglers(_ledger, _allStarted.Contains, Stopwatch.GetTimestamp()))
        {
            if (!_ledger.TryPick(plenty: false, suspectNext: false, out var idle))
                break;
            _log.Info("ActorPool chunk {0} of job {1} straggles on {2}: a copy starts on {3}.", chunk.ChunkIndex, chunk.JobId, straggler, idle);
            _send(idle, new RunBatch(_ledger.AssignCopy(idle, chunk), [chunk]));
        }
    }

    private void StartNoWorkerTimer()
    {
        if (_queue.Count == 0 || _noWorkerTimer is not null)
            return;
        _noWorkerTimer = Context.System.Scheduler.ScheduleTellOnceCancelable(
            _settings.NoWorkerTimeout, Self, new NoWorkerDeadline(++_noWorkerGeneration), Self);
    }

    private void FailPending(Exception error)
    {
        _noWorkerTimer = null;
        var pending = _queue.TakeAll();
        _ledger.Forget(pending);
        foreach (var chunk in pending)
            Fail(chunk, error);
    }

    /// <summary>Answers a chunk with every item failed, in the form its coordinator takes.</summary>
    private static void Fail(RunChunk chunk, Exception error) =>
        chunk.ReplyTo.Tell(chunk.Work.FailUnsent(chunk.JobId, chunk.ChunkIndex, chunk.Offset, error));
}
