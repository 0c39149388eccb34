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
/// initializer again. The mailbox survives a restart, so no queued chunk is lost; only the message
/// being handled is, and the worker has already answered for all of it by then.
/// </remarks>
internal sealed class WorkerActor : UntypedActor
{
    private readonly Action? _initializer;
    private readonly int? _maxTasks;
    private Exception? _initializerFailure;
    private int _tasksRun;

    public WorkerActor(Action? initializer, int? maxTasks)
    {
        _initializer = initializer;
        _maxTasks = maxTasks;
    }

    public static Props Props(Action? initializer, int? maxTasks) =>
        Akka.Actor.Props.Create(() => new WorkerActor(initializer, maxTasks));

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
                RunBatch(batch.Chunks);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private bool RecycleDue => _tasksRun >= _maxTasks;

    private void RunBatch(RunChunk[] chunks)
    {
        for (var i = 0; i < chunks.Length; i++)
        {
            Run(chunks[i]);
            if (RecycleDue)
            {
                // Hand the chunks not yet run back to the router before this incarnation ends.
                Sender.Tell(i + 1 == chunks.Length ? BatchDone.Completed : new BatchDone(chunks[(i + 1)..]), Self);
                throw new WorkerRecycle();
            }
        }
        Sender.Tell(BatchDone.Completed, Self);
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
