using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Workers;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Routing;

/// <summary>
/// <see cref="PoolRouting.WorkPulling"/>: work waits here, not in the workers' mailboxes, and
/// goes to the worker with the least work in flight as soon as it has room. A busy worker is never
/// handed work an idle one could start, which Akka's SmallestMailbox (it sees queue length only)
/// cannot promise.
/// </summary>
/// <remarks>
/// Invariants: every chunk received is either in <see cref="_pending"/> or in exactly one worker's
/// <see cref="Slot.InFlight"/> until that worker reports the batch done; a worker processes its
/// batches in the order sent, so the oldest in-flight batch is the one a <see cref="BatchDone"/>
/// answers. Knowing where every chunk is, is what lets lost work be sent again.
/// </remarks>
internal sealed class WorkPullingRouter : UntypedActor
{
    private sealed class Slot(IActorRef worker)
    {
        public IActorRef Worker { get; } = worker;
        public Queue<RunChunk[]> InFlight { get; } = new();
        public int ChunksInFlight { get; set; }
    }

    private readonly Props _workerProps;
    private readonly PoolSettings _settings;
    private readonly List<Slot> _slots = new();
    private readonly Dictionary<IActorRef, Slot> _slotOf = new();
    private Queue<RunChunk> _pending = new();

    public WorkPullingRouter(Props workerProps, PoolSettings settings)
    {
        _workerProps = workerProps;
        _settings = settings;
    }

    public static Props Props(Props workerProps, PoolSettings settings) =>
        Akka.Actor.Props.Create(() => new WorkPullingRouter(workerProps, settings));

    protected override SupervisorStrategy SupervisorStrategy() => WorkerSupervision.Create(Context.GetLogger());

    protected override void PreStart()
    {
        for (var i = 0; i < _settings.Processes; i++)
        {
            var slot = new Slot(Context.ActorOf(_workerProps, $"worker-{i}"));
            _slots.Add(slot);
            _slotOf.Add(slot.Worker, slot);
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case RunChunk chunk:
                _pending.Enqueue(chunk);
                Dispatch();
                break;
            case BatchDone done when _slotOf.TryGetValue(Sender, out var slot):
                var batch = slot.InFlight.Dequeue();
                slot.ChunksInFlight -= batch.Length;
                if (done.Returned.Length > 0)
                    _pending = new Queue<RunChunk>(done.Returned.Concat(_pending));
                Dispatch();
                break;
            case DropJob drop:
                if (_pending.Any(chunk => chunk.JobId == drop.JobId))
                    _pending = new Queue<RunChunk>(_pending.Where(chunk => chunk.JobId != drop.JobId));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Dispatch()
    {
        while (_pending.Count > 0)
        {
            // A worker that already holds work gets more only while there is plenty for everyone;
            // near the end of the work each chunk goes to a worker with nothing at all, so no
            // chunk waits behind a long task while another worker idles.
            var plenty = _pending.Count >= 2 * _slots.Count;
            Slot? target = null;
            foreach (var slot in _slots)
            {
                var hasRoom = slot.InFlight.Count == 0
                    || (plenty && slot.InFlight.Count < _settings.MessagesInFlightPerWorker);
                if (hasRoom && (target is null || slot.ChunksInFlight < target.ChunksInFlight))
                    target = slot;
            }
            if (target is null)
                return;

            // Guided self-scheduling: batches shrink as the queue drains.
            var size = (int)Math.Clamp(
                (_pending.Count + (long)_settings.BatchDivisor * _slots.Count - 1) / ((long)_settings.BatchDivisor * _slots.Count),
                1, _settings.MaxBatch);
            var batch = new RunChunk[size];
            for (var i = 0; i < size; i++)
                batch[i] = _pending.Dequeue();
            target.InFlight.Enqueue(batch);
            target.ChunksInFlight += size;
            target.Worker.Tell(new RunBatch(batch), Self);
        }
    }
}
