using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Workers;

/// <summary>
/// Runs chunks of user code on the worker dispatcher (a dedicated thread) and sends each chunk's
/// result to its ReplyTo. A failure of user code is a value in the result, never an actor failure.
/// </summary>
/// <remarks>
/// Replacement (MaxTasksPerChild) is an actor restart: after its last task the worker throws
/// <see cref="WorkerRecycle"/>, its supervisor restarts it, and the new incarnation runs the
/// initializer again. The mailbox survives a restart, so no queued chunk is lost; the chunks of
/// the batch being run that were not run yet are handed back to the router, whatever ended the
/// incarnation, so no chunk of a batch is lost either.
/// </remarks>
internal sealed class WorkerActor : UntypedActor
{
    private readonly Action? _initializer;
    private readonly int? _maxTasks;
    private readonly CancellationToken _stopping;
    private Exception? _initializerFailure;
    private int _tasksRun;

    // The batch being run, for handing back what is left if this incarnation ends mid-batch.
    private RunChunk[]? _batch;
    private long _batchId;
    private int _nextInBatch;
    private IActorRef? _batchSender;

    public WorkerActor(Action? initializer, int? maxTasks, CancellationToken stopping)
    {
        _initializer = initializer;
        _maxTasks = maxTasks;
        _stopping = stopping;
    }

    public static Props Props(Action? initializer, int? maxTasks, CancellationToken stopping) =>
        Akka.Actor.Props.Create(() => new WorkerActor(initializer, maxTasks, stopping));

    protected override void PreStart()
    {
        if (_initializer is null)
            return;
        try
        {
            _initializer();
        }
        catch (Exception ex)
        {
            // A broken initializer fails this worker's tasks with its exception instead of failing
            // the actor: a failing actor would be restarted and run the initializer again, forever.
            _initializerFailure = ex;
        }
    }

    protected override void PreRestart(Exception reason, object message)
    {
        if (_batch is not null && _batchSender is not null)
        {
            // The router counts this batch as in flight until it hears back; answer for it now.
            var rest = _batch[_nextInBatch..];
            _batchSender.Tell(new BatchDone(_batchId, rest), Self);
            _batch = null;
        }
        base.PreRestart(reason, message);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case RunChunk chunk:
                Run(chunk);
                if (RecycleDue)
                    throw new WorkerRecycle();
                break;
            case RunBatch batch:
                RunBatch(batch.BatchId, batch.Chunks);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private bool RecycleDue => _tasksRun >= _maxTasks;

    private void RunBatch(long batchId, RunChunk[] chunks)
    {
        _batch = chunks;
        _batchId = batchId;
        _batchSender = Sender;
        for (_nextInBatch = 0; _nextInBatch < chunks.Length;)
        {
            if (_stopping.IsCancellationRequested)
                return; // terminated: the rest of the batch is dropped with the pool
            Run(chunks[_nextInBatch++]);
            if (RecycleDue)
                throw new WorkerRecycle(); // PreRestart hands back the chunks not run
        }
        _batch = null;
        Sender.Tell(new BatchDone(batchId, []), Self);
    }

    private void Run(RunChunk chunk)
    {
        var result = _initializerFailure is null
            ? chunk.Work.Execute(chunk.JobId, chunk.ChunkIndex, chunk.Offset)
            : chunk.Work.FailAll(chunk.JobId, chunk.ChunkIndex, chunk.Offset, _initializerFailure);
        _tasksRun++;
        chunk.ReplyTo.Tell(result, Self);
    }
}
