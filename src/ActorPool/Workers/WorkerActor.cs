using ActorPool.Lifecycle;
using ActorPool.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Workers;

/// <summary>
/// Runs chunks of user code on the worker dispatcher (a dedicated thread) and sends each chunk's
/// result to its ReplyTo: at once for a chunk that came alone, through a <see cref="ReplyBuffer"/>
/// for the chunks of a batch. A failure of user code is a value in the result, never an actor failure.
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
    private readonly JobRegistry? _pool;
    private readonly Func<IActorRef?, TaskCancellation> _cancellationOf;
    private readonly TaskScope _scope;
    private Exception? _initializerFailure;
    private int _tasksRun;

    // The batch being run, for handing back what is left if this incarnation ends mid-batch.
    private RunChunk[]? _batch;
    private long _batchId;
    private int _nextInBatch;
    private IActorRef? _batchSender;

    // Results of the batch being run, on their way back.
    private readonly ReplyBuffer _replies;

    /// <param name="initializer">Runs before the first task of each incarnation; null for none.</param>
    /// <param name="maxTasks">Tasks before the worker is replaced; null for no limit.</param>
    /// <param name="stopping">Cancelled when the pool terminates.</param>
    /// <param name="pool">The pool whose tasks this worker runs, so that a task cannot wait on it; null on a node host.</param>
    /// <param name="cancellationOf">The cancellation of the tasks of the pool whose router sent the work (null: a chunk sent alone, in process).</param>
    /// <param name="asyncItems">Items of one chunk of an async function run at once (<c>actorpool.async-items-per-worker</c>).</param>
    public WorkerActor(Action? initializer, int? maxTasks, CancellationToken stopping, JobRegistry? pool, Func<IActorRef?, TaskCancellation> cancellationOf,
        int asyncItems)
    {
        _scope = new TaskScope(asyncItems, pool);
        _initializer = initializer;
        _maxTasks = maxTasks;
        _stopping = stopping;
        _pool = pool;
        _cancellationOf = cancellationOf;
        var self = Self;
        var log = Context.GetLogger();
        _replies = new ReplyBuffer((replyTo, message) => replyTo.Tell(message, self),
            onTimerError: ex => log.Error(ex, "ActorPool could not send results held by worker {0}.", self));
    }

    public static Props Props(Action? initializer, int? maxTasks, CancellationToken stopping, JobRegistry? pool,
        Func<IActorRef?, TaskCancellation> cancellationOf, int asyncItems) =>
        Akka.Actor.Props.Create(() => new WorkerActor(initializer, maxTasks, stopping, pool, cancellationOf, asyncItems));

    protected override void PreStart()
    {
        if (_initializer is null)
            return;
        try
        {
            using (OwnPool.Enter(_pool))
                _initializer();
        }
        catch (Exception ex)
        {
            // A broken initializer fails this worker's tasks with its exception instead of failing
            // the actor: a failing actor would be restarted and run the initializer again, forever.
            _initializerFailure = ex;
        }
    }

    protected override void PostStop() => _replies.Dispose();

    protected override void PreRestart(Exception reason, object message)
    {
        _replies.Flush(); // results already run are never lost with the incarnation
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
        // What runs here is this pool's user code, which must not wait on its own pool.
        using var scope = OwnPool.Enter(_pool);
        switch (message)
        {
            case RunChunk chunk:
                if (Run(chunk, router: null) is { } result)
                    chunk.ReplyTo.Tell(result, Self);
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
            {
                _replies.Flush();
                return; // terminated: the rest of the batch is dropped with the pool
            }
            var chunk = chunks[_nextInBatch++];
            if (Run(chunk, Sender) is { } result)
                _replies.Add(chunk.ReplyTo, result, Via(chunk.ReplyTo));
            if (RecycleDue)
                throw new WorkerRecycle(); // PreRestart sends the results held and hands back the chunks not run
        }
        _replies.Flush(); // nothing else to run: what is held goes now
        _batch = null;
        Sender.Tell(new BatchDone(batchId, []), Self);
    }

    /// <summary>
    /// The router a result for <paramref name="replyTo"/> goes through: the batch's router when the
    /// reply address lives in its process and not in this one (a node's worker answering a pool), so
    /// that results for many reply addresses cross the wire together; null to send it straight there.
    /// </summary>
    private IActorRef? Via(IActorRef replyTo) =>
        _batchSender is { } router && replyTo is IActorRefScope { IsLocal: false } && replyTo.Path.Address.Equals(router.Path.Address)
            ? router
            : null;

    /// <summary>
    /// Runs one chunk sent by <paramref name="router"/> and returns its result, a failure of user
    /// code included; null for a chunk of a cancelled job, which nobody waits for.
    /// </summary>
    /// <remarks>
    /// A chunk of a job cancelled before it started is not run, and one whose job was cancelled
    /// while it ran sends nothing (a task that stopped at its token would report a failure): its
    /// caller has its answer already, or its driver is gone.
    /// </remarks>
    private object? Run(RunChunk chunk, IActorRef? router)
    {
        object result;
        var cancellation = _cancellationOf(router);
        if (cancellation.IsCancelled(chunk.JobId))
            return null;
        try
        {
            if (_initializerFailure is not null)
            {
                result = chunk.Work.FailAll(chunk.JobId, chunk.ChunkIndex, chunk.Offset, _initializerFailure);
            }
            else
            {
                _scope.Begin(cancellation, chunk.JobId);
                try
                {
                    result = chunk.Work.Execute(chunk.JobId, chunk.ChunkIndex, chunk.Offset);
                }
                finally
                {
                    _scope.End();
                }
            }
        }
        catch (Exception ex)
        {
            // Execute catches what user code throws, and the wire form of a failure is built so as
            // never to throw; this is the last line: whatever escapes fails the chunk, so that its
            // result always arrives, instead of restarting the worker with the chunk counted as run.
            Context.GetLogger().Error(ex, "ActorPool could not run or encode chunk {0} of job {1}; it fails with the reason.", chunk.ChunkIndex, chunk.JobId);
            result = chunk.Work.FailAll(chunk.JobId, chunk.ChunkIndex, chunk.Offset, ex);
        }
        _tasksRun++;
        return cancellation.IsCancelled(chunk.JobId) ? null : result;
    }
}
