using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Remote;
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
/// <para>Invariants: every chunk received is either in <see cref="_pending"/> or in exactly one
/// worker's <see cref="Slot.InFlight"/> until that worker reports the batch done; a worker runs its
/// batches in the order sent, so the oldest in-flight batch is the one a <see cref="BatchDone"/>
/// answers. Knowing where every chunk is, is what lets lost work be sent again.</para>
/// <para>With workers in other processes (no local worker props), workers are found on cluster
/// nodes with the worker role, and a worker lost with its node (unreachable, left, removed, or its
/// actor terminated) has its in-flight chunks queued again, first in line. Akka's cluster routers
/// drop such messages silently. A chunk lost with its worker more than the allowed number of times
/// fails with <see cref="WorkerLostException"/>; results are de-duplicated by the coordinators, so
/// a chunk sent twice counts once.</para>
/// </remarks>
internal sealed class WorkPullingRouter : UntypedActor
{
    /// <summary>The router's name under the pool's router actor; nodes address it by path.</summary>
    public const string Name = "workers";

    private sealed class Slot(IActorRef worker)
    {
        public IActorRef Worker { get; } = worker;
        public Queue<(long Id, RunChunk[] Chunks)> InFlight { get; } = new();
        public int ChunksInFlight { get; set; }
    }

    private sealed class NoWorkerDeadline(int generation)
    {
        public int Generation { get; } = generation;
    }

    private readonly Props? _localWorkerProps;
    private readonly PoolSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<Slot> _slots = new();
    private readonly Dictionary<IActorRef, Slot> _slotOf = new();
    private readonly Dictionary<(long JobId, long ChunkIndex), int> _losses = new();
    // Worker-role nodes that are Up, as this router's own cluster events say: Cluster.State is a
    // read view updated asynchronously, which can lag behind the events and so refuse a node's
    // answer to the very request its MemberUp triggered.
    private readonly HashSet<Address> _workerNodes = new();
    private Queue<RunChunk> _pending = new();
    private ICancelable? _noWorkerTimer;
    private string? _cannotStart; // set when no worker can ever join: pending work fails at once
    private long _lastBatchId;
    private int _noWorkerGeneration;

    /// <param name="localWorkerProps">Props of local workers, one per process; null to use the workers of cluster nodes.</param>
    /// <param name="settings">The pool's settings.</param>
    public WorkPullingRouter(Props? localWorkerProps, PoolSettings settings)
    {
        _localWorkerProps = localWorkerProps;
        _settings = settings;
    }

    public static Props Props(Props? localWorkerProps, PoolSettings settings) =>
        Akka.Actor.Props.Create(() => new WorkPullingRouter(localWorkerProps, settings));

    private bool UsesClusterWorkers => _localWorkerProps is null;

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
            AddSlot(Context.ActorOf(_localWorkerProps!, $"worker-{i}"));
    }

    protected override void PostStop()
    {
        _noWorkerTimer?.Cancel();
        if (UsesClusterWorkers)
            Cluster.Get(Context.System).Unsubscribe(Self);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case RunChunk chunk:
                _pending.Enqueue(chunk);
                Dispatch();
                break;
            case BatchDone done when _slotOf.TryGetValue(Sender, out var slot)
                                     && slot.InFlight.TryPeek(out var oldest) && oldest.Id == done.BatchId:
                var batch = slot.InFlight.Dequeue().Chunks;
                slot.ChunksInFlight -= batch.Length;
                if (_losses.Count > 0)
                {
                    var returned = done.Returned.Select(Key).ToHashSet();
                    foreach (var finished in batch.Where(chunk => !returned.Contains(Key(chunk))))
                        _losses.Remove(Key(finished));
                }
                if (done.Returned.Length > 0)
                    _pending = new Queue<RunChunk>(done.Returned.Concat(_pending));
                Dispatch();
                break;
            case BatchDone:
                break; // for a batch already given up on (its worker was lost): its chunks were queued again
            case DropJob drop:
                if (_pending.Any(chunk => chunk.JobId == drop.JobId))
                    _pending = new Queue<RunChunk>(_pending.Where(chunk => chunk.JobId != drop.JobId));
                break;
            case NodeWorkers node when !UsesClusterWorkers || IsWorkerNode(Sender.Path.Address):
                foreach (var worker in node.Workers.Where(worker => !_slotOf.ContainsKey(worker)))
                {
                    Context.Watch(worker);
                    AddSlot(worker);
                }
                Dispatch();
                break;
            case NodeWorkers:
                break; // a node without the worker role, or not (yet) an Up member: its MemberUp, if any, asks again
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
            case Terminated terminated when _slotOf.TryGetValue(terminated.ActorRef, out var lost):
                LoseSlot(lost, "stopped", crashed: true);
                Dispatch();
                break;
            case NodeLost nodeLost:
                LoseNode(nodeLost.Address, nodeLost.Reason, crashed: true);
                break;
            case NoWorkerDeadline deadline when deadline.Generation == _noWorkerGeneration && _slots.Count == 0:
                FailPending(new TimeoutException(
                    $"No worker joined the pool within {_settings.NoWorkerTimeout.TotalSeconds:0.#} s, so its pending tasks fail. "
                    + $"Start nodes with the role '{_settings.WorkerRole}' that join the pool's cluster."));
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

    private bool IsWorkerNode(Member member) => member.HasRole(_settings.WorkerRole);

    private bool IsWorkerNode(Address address) => _workerNodes.Contains(address);

    private void AskForWorkers(Address address) =>
        Context.ActorSelection(new RootActorPath(address) / "user" / NodeActor.Name).Tell(GetWorkers.Instance, Self);

    private void AddSlot(IActorRef worker)
    {
        var slot = new Slot(worker);
        _slots.Add(slot);
        _slotOf.Add(worker, slot);
        _noWorkerTimer?.Cancel();
        _noWorkerTimer = null;
        _cannotStart = null; // a worker did come after all
    }

    private void LoseNode(Address address, string reason, bool crashed, bool runningOnly = false)
    {
        _workerNodes.Remove(address);
        foreach (var slot in _slots.Where(slot => slot.Worker.Path.Address == address).ToList())
            LoseSlot(slot, $"on {address} {reason}", crashed, runningOnly);
        Dispatch();
    }

    /// <summary>
    /// The worker is gone: its in-flight chunks go back to the front of the queue. If it crashed,
    /// every chunk it had not reported done counts a loss. Not only the oldest batch: the report
    /// of a batch it finished may still be on its way when the news of its death arrives, and the
    /// chunk that killed it must not escape blame. Innocent chunks blamed alongside it are harmless:
    /// from then on they travel alone, to workers that hold nothing else, so each is blamed again
    /// only if it kills a worker itself.
    /// </summary>
    private void LoseSlot(Slot slot, string reason, bool crashed, bool runningOnly = false)
    {
        _slots.Remove(slot);
        _slotOf.Remove(slot.Worker);
        Context.Unwatch(slot.Worker);
        var again = new List<RunChunk>();
        var blame = crashed;
        foreach (var (_, batch) in slot.InFlight)
        {
            foreach (var chunk in batch)
            {
                var losses = blame ? (_losses[Key(chunk)] = _losses.GetValueOrDefault(Key(chunk)) + 1) : 0;
                if (losses >= _settings.MaxWorkerLosses)
                {
                    _losses.Remove(Key(chunk));
                    Fail(chunk, new WorkerLostException(
                        $"Chunk {chunk.ChunkIndex} of job {chunk.JobId} (input positions {chunk.Offset} to {chunk.Offset + chunk.Work.Count - 1}) "
                        + $"was running on {losses} workers that died; it fails rather than take down another. The last worker {reason}."));
                }
                else
                {
                    again.Add(chunk);
                }
            }
            blame &= !runningOnly; // detected late (unreachable): every earlier batch report has arrived, so only the oldest was running
        }
        if (again.Count > 0)
        {
            _log.Warning("ActorPool worker {0} {1}: sending its {2} chunks in flight to other workers.", slot.Worker, reason, again.Count);
            _pending = new Queue<RunChunk>(again.Concat(_pending));
        }
    }

    private void Dispatch()
    {
        if (_slots.Count == 0)
        {
            if (_cannotStart is not null)
                FailPending(new InvalidOperationException($"The pool has no worker and cannot start one: {_cannotStart}"));
            else
                StartNoWorkerTimer();
            return;
        }
        while (_pending.Count > 0)
        {
            // A worker that already holds work gets more only while there is plenty for everyone;
            // near the end of the work each chunk goes to a worker with nothing at all, so no
            // chunk waits behind a long task while another worker idles.
            var plenty = _pending.Count >= 2 * _slots.Count;
            var suspectNext = IsSuspect(_pending.Peek());
            Slot? target = null;
            foreach (var slot in _slots)
            {
                // A chunk that has lost workers goes only to a worker holding nothing, and a worker
                // holding such a chunk gets nothing else: if it dies, the blame falls where it belongs.
                var hasRoom = slot.InFlight.Count == 0
                    || (plenty && !suspectNext && slot.InFlight.Count < _settings.MessagesInFlightPerWorker && !HoldsSuspect(slot));
                if (hasRoom && (target is null || slot.ChunksInFlight < target.ChunksInFlight))
                    target = slot;
            }
            if (target is null)
                return;

            // Guided self-scheduling: batches shrink as the queue drains. A chunk that has lost a
            // worker before travels alone, so that if it is the killer it takes no other chunk with it.
            var size = (int)Math.Clamp(
                (_pending.Count + (long)_settings.BatchDivisor * _slots.Count - 1) / ((long)_settings.BatchDivisor * _slots.Count),
                1, _settings.MaxBatch);
            var batch = new List<RunChunk>(size);
            var bytes = 0L;
            while (batch.Count < size && _pending.Count > 0)
            {
                var suspect = IsSuspect(_pending.Peek());
                if (suspect && batch.Count > 0)
                    break;
                // A batch for another process must fit in one transport frame.
                bytes += (_pending.Peek().Work as EncodedWork)?.Items.Length ?? 0;
                if (batch.Count > 0 && bytes > EncodedWork.MaxBytes)
                    break;
                batch.Add(_pending.Dequeue());
                if (suspect)
                    break;
            }
            var chunks = batch.ToArray();
            var id = ++_lastBatchId;
            target.InFlight.Enqueue((id, chunks));
            target.ChunksInFlight += chunks.Length;
            target.Worker.Tell(new RunBatch(id, chunks), Self);
        }
    }

    private void StartNoWorkerTimer()
    {
        if (_pending.Count == 0 || _noWorkerTimer is not null)
            return;
        _noWorkerTimer = Context.System.Scheduler.ScheduleTellOnceCancelable(
            _settings.NoWorkerTimeout, Self, new NoWorkerDeadline(++_noWorkerGeneration), Self);
    }

    private void FailPending(Exception error)
    {
        _noWorkerTimer = null;
        foreach (var chunk in _pending)
            Fail(chunk, error);
        _pending.Clear();
    }

    /// <summary>Answers a chunk with every item failed, in the typed form its coordinator takes.</summary>
    private static void Fail(RunChunk chunk, Exception error)
    {
        var result = chunk.Work.FailAll(chunk.JobId, chunk.ChunkIndex, chunk.Offset, error);
        chunk.ReplyTo.Tell(result is EncodedChunkResult encoded ? encoded.Decode() : result);
    }

    private static (long, long) Key(RunChunk chunk) => (chunk.JobId, chunk.ChunkIndex);

    private bool IsSuspect(RunChunk chunk) => _losses.Count > 0 && _losses.ContainsKey(Key(chunk));

    private bool HoldsSuspect(Slot slot) => _losses.Count > 0 && slot.InFlight.Any(batch => batch.Chunks.Any(IsSuspect));
}

/// <summary>To the work-pulling router: the node at <see cref="Address"/> is gone (its process exited), without waiting for failure detection.</summary>
internal sealed record NodeLost(Address Address, string Reason);

/// <summary>To the work-pulling router: worker processes keep dying before they are ready, and no more are started; without a worker, work fails at once.</summary>
internal sealed record WorkersCannotStart(string Reason);
