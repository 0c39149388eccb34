using ActorPool.Lifecycle;
using ActorPool.Observability;
using ActorPool.Protocol;
using ActorPool.Threads;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Workers;

/// <summary>
/// Runs chunks of user code on the worker dispatcher (a dedicated thread) and sends each chunk's
/// result to its ReplyTo: at once for a chunk that came alone, through a <see cref="ReplyBuffer"/>
/// for the chunks of a batch. A failure of user code is a value in the result, never an actor failure.
/// </summary>
/// <remarks>
/// <para>A pool's terms (its initializer and MaxTasksPerChild) come with the worker's props in
/// process, and with each batch on a node, whose workers serve any pool that sends them work: a
/// pool's initializer runs before its first task in each incarnation of the worker.</para>
/// <para>Replacement (MaxTasksPerChild) is an actor restart: after its last task the worker throws
/// <see cref="WorkerRecycle"/>, its supervisor restarts it, and the new incarnation runs the
/// initializers again. The mailbox survives a restart, so no queued chunk is lost; the chunks of
/// the batch being run that were not run yet are handed back to the router, whatever ended the
/// incarnation, so no chunk of a batch is lost either. A worker whose replacement is its process's
/// (<c>replaceByExit</c>, a LocalProcesses worker) hands back the rest of its batch, tells its
/// router it retires (<see cref="WorkerRetiring"/>), so that whatever else it was sent goes
/// elsewhere, and asks its node to leave the cluster; the pool starts a fresh process. That
/// happens after MaxTasksPerChild tasks, and after a task timed out and left a thread running.</para>
/// </remarks>
internal sealed class WorkerActor : UntypedActor
{
    /// <summary>A pool's terms here, and how this incarnation keeps them: whether the initializer ran (and what it threw), and the tasks run.</summary>
    private sealed class PoolTerms(Action? initializer, int? maxTasks)
    {
        public Action? Initializer { get; } = initializer;
        public int? MaxTasks { get; } = maxTasks;
        public bool Initialized { get; set; }
        public Exception? InitializerFailure { get; set; }
        public int TasksRun { get; set; }
    }

    /// <summary>Pools whose terms a node's worker keeps before it forgets them all (they are then kept again from their next batch, the initializers run again).</summary>
    private const int MaxPoolsRemembered = 1024;

    private readonly PoolTerms _own;
    private readonly Dictionary<IActorRef, PoolTerms> _byRouter = new(ActorRefComparer.Instance);
    private readonly bool _replaceByExit;
    private readonly CancellationToken _stopping;
    private readonly JobRegistry? _pool;
    private readonly Func<IActorRef?, TaskCancellation> _cancellationOf;
    private readonly Func<IActorRef?, BatchClaims<IActorRef>> _claimsOf;
    private readonly TaskScope _scope;
    private readonly WorkerBoard? _board;
    private readonly long _idleSpinTicks;
    private readonly ActorCell? _cell; // whose mailbox the idle spin watches
    private bool _retired;

    // The batch being run, for handing back what is left if this incarnation ends mid-batch.
    private RunChunk[]? _batch;
    private long _batchId;
    private int _nextInBatch;
    private IActorRef? _batchSender;
    private BatchClaims<IActorRef>? _claims; // of the batch's router: a chunk runs only if claimed before it is taken back

    // Results of the batch being run, on their way back.
    private readonly ReplyBuffer _replies;

    /// <param name="initializer">Runs before the first task of each incarnation; null for none.</param>
    /// <param name="maxTasks">Tasks before the worker is replaced; null for no limit.</param>
    /// <param name="stopping">Cancelled when the pool terminates.</param>
    /// <param name="pool">The pool whose tasks this worker runs, so that a task cannot wait on it; null on a node host.</param>
    /// <param name="cancellationOf">The cancellation of the tasks of the pool whose router sent the work (null: a chunk sent alone, in process).</param>
    /// <param name="claimsOf">What the workers of this process have started of the batches of the router that sent them.</param>
    /// <param name="asyncItems">Items of one chunk of an async function run at once (<c>actorpool.async-items-per-worker</c>).</param>
    /// <param name="idleSpin">How long this worker, out of work, spins for its next message before its thread goes back to its dispatcher (<c>actorpool.idle-spin</c>).</param>
    /// <param name="replaceByExit">Whether replacing this worker means replacing its process (a LocalProcesses worker, alone in its process).</param>
    /// <param name="board">The board of the pool this worker runs in process, told of each chunk it runs; null on a node host, whose pools' routers report for it.</param>
    public WorkerActor(Action? initializer, int? maxTasks, CancellationToken stopping, JobRegistry? pool, Func<IActorRef?, TaskCancellation> cancellationOf,
        Func<IActorRef?, BatchClaims<IActorRef>> claimsOf, int asyncItems, TimeSpan idleSpin, bool replaceByExit, WorkerBoard? board)
    {
        _idleSpinTicks = BriefSpin.Ticks(idleSpin);
        _cell = Context as ActorCell;
        _board = board;
        _scope = new TaskScope(asyncItems, pool);
        _own = new PoolTerms(initializer, maxTasks);
        _replaceByExit = replaceByExit;
        _stopping = stopping;
        _pool = pool;
        _cancellationOf = cancellationOf;
        _claimsOf = claimsOf;
        var self = Self;
        var log = Context.GetLogger();
        _replies = new ReplyBuffer((replyTo, message) => replyTo.Tell(message, self),
            onTimerError: ex => log.Error(ex, "ActorPool could not send results held by worker {0}.", self));
    }

    public static Props Props(Action? initializer, int? maxTasks, CancellationToken stopping, JobRegistry? pool,
        Func<IActorRef?, TaskCancellation> cancellationOf, Func<IActorRef?, BatchClaims<IActorRef>> claimsOf, int asyncItems, TimeSpan idleSpin,
        bool replaceByExit = false, WorkerBoard? board = null) =>
        Akka.Actor.Props.Create(() => new WorkerActor(initializer, maxTasks, stopping, pool, cancellationOf, claimsOf, asyncItems, idleSpin, replaceByExit, board));

    protected override void PreStart()
    {
        _board?.Joined(Self);
        using (OwnPool.Enter(_pool))
            Initialize(_own);
    }

    protected override void PostStop()
    {
        _replies.Dispose();
        _scope.Dispose();
    }

    protected override void PreRestart(Exception reason, object message)
    {
        _replies.Flush(); // results already run are never lost with the incarnation
        HandBackBatch();
        base.PreRestart(reason, message);
    }

    protected override void OnReceive(object message)
    {
        // What runs here is this pool's user code, which must not wait on its own pool.
        using var scope = OwnPool.Enter(_pool);
        switch (message)
        {
            case RunChunk chunk:
                if (Run(chunk, router: null, _own) is { } result)
                    chunk.ReplyTo.Tell(result, Self);
                if (ReplacementDue(_own))
                    throw new WorkerRecycle();
                SpinForNext();
                break;
            case RunBatch when _retired:
                break; // sent before its router heard this worker retire, which queued it again
            case RunBatch batch:
                RunChunks(batch.BatchId, batch.Chunks, batch.Terms is { } terms ? TermsOf(Sender, terms) : _own);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>The terms of the pool whose router is <paramref name="router"/>, as this incarnation keeps them.</summary>
    private PoolTerms TermsOf(IActorRef router, WorkerTerms terms)
    {
        if (_byRouter.TryGetValue(router, out var kept))
            return kept;
        if (_byRouter.Count >= MaxPoolsRemembered)
            _byRouter.Clear();
        return _byRouter[router] = new PoolTerms(terms.Initializer, terms.MaxTasks);
    }

    /// <summary>Runs the pool's initializer if this incarnation has not; what it throws fails the pool's tasks here instead of the actor.</summary>
    /// <remarks>A failing actor would be restarted and run the initializer again, forever.</remarks>
    private static void Initialize(PoolTerms terms)
    {
        if (terms.Initialized)
            return;
        terms.Initialized = true;
        try
        {
            terms.Initializer?.Invoke();
        }
        catch (Exception ex)
        {
            terms.InitializerFailure = ex;
        }
    }

    /// <summary>Whether this worker is to be replaced now: it ran the pool's MaxTasksPerChild tasks, or, replaced by its process, a task that timed out still runs in it.</summary>
    private bool ReplacementDue(PoolTerms terms) =>
        terms.TasksRun >= terms.MaxTasks || (_replaceByExit && TimedChunk.LeftRunning > 0);

    private void RunChunks(long batchId, RunChunk[] chunks, PoolTerms terms)
    {
        _batch = chunks;
        _batchId = batchId;
        _batchSender = Sender;
        _claims = _claimsOf(Sender);
        _claims.Start(Self, batchId, chunks.Length);
        for (_nextInBatch = 0; _nextInBatch < chunks.Length;)
        {
            if (_stopping.IsCancellationRequested)
            {
                _replies.Flush();
                _claims.Finish(Self);
                _batch = null;
                return; // terminated: the rest of the batch is dropped with the pool
            }
            if (!_claims.TryClaim(Self, _nextInBatch))
                break; // the rest was taken back, to run on a worker that was idle
            var chunk = chunks[_nextInBatch++];
            if (Run(chunk, Sender, terms) is { } result)
                _replies.Add(chunk.ReplyTo, result, Via(chunk.ReplyTo), last: _nextInBatch == chunks.Length);
            if (ReplacementDue(terms))
            {
                if (!_replaceByExit)
                    throw new WorkerRecycle(); // PreRestart sends the results held and hands back the chunks not run
                Retire();
                return;
            }
        }
        // Nothing else to run: what is held goes now, and the batch's end with it. An in-process
        // work-pulling router handles the end on this thread, which routes the next work at once.
        _batch = null;
        using (SenderThreadExecutor.RouteHere())
            _replies.FlushEnding(Sender, new BatchDone(batchId, [], _claims.Finish(Self)));
        SpinForNext();
    }

    /// <summary>
    /// Out of work: spins for the next message (<c>actorpool.idle-spin</c>) before this mailbox run
    /// ends and its thread goes back to the dispatcher, to wait for work there. A message that comes
    /// meanwhile is run by this same run, at once: a sender's next task, routed on its thread, finds
    /// this worker running, with no new run to dispatch and no thread to wake.
    /// </summary>
    /// <remarks>
    /// A message told during the spin starts no run of its own: the mailbox is still scheduled, so
    /// Akka only queues it, and this run takes it once the spin sees it. One told just after the
    /// spin gave up finds the mailbox either scheduled still, and the run, as it ends, schedules it
    /// again for that message, or idle, and schedules it itself: nothing is left waiting. System
    /// messages do not end the spin; they wait for it, <c>idle-spin</c> at most (1 ms), and a
    /// pool's termination ends it at once.
    /// </remarks>
    private void SpinForNext()
    {
        if (_idleSpinTicks > 0 && _cell is { } cell)
            BriefSpin.Until((cell, _stopping), static s => s.cell.HasMessages || s._stopping.IsCancellationRequested, _idleSpinTicks);
    }

    /// <summary>The router counts the batch being run as in flight until it hears back: answers for it, handing back the chunks not run.</summary>
    private void HandBackBatch()
    {
        if (_batch is null || _batchSender is null)
            return;
        // What was kept runs to at least the next chunk: a chunk is claimed before it runs, and a take-back keeps what was claimed.
        var kept = _claims!.Finish(Self);
        _batchSender.Tell(new BatchDone(_batchId, _batch[_nextInBatch..kept], kept), Self);
        _batch = null;
    }

    /// <summary>Replaced with its process: sends what it holds, hands back the rest, and has its node leave the cluster.</summary>
    private void Retire()
    {
        var router = _batchSender!;
        _replies.Flush();
        HandBackBatch();
        router.Tell(WorkerRetiring.Instance, Self);
        _retired = true;
        Context.Parent.Tell(WorkerRetiring.Instance, Self);
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
    /// Runs one chunk sent by <paramref name="router"/> under its pool's <paramref name="terms"/> and
    /// returns its result, a failure of user code included; null for a chunk of a cancelled job,
    /// which nobody waits for.
    /// </summary>
    /// <remarks>
    /// A chunk of a job cancelled before it started is not run, and one whose job was cancelled
    /// while it ran sends nothing (a task that stopped at its token would report a failure): its
    /// caller has its answer already, or its driver is gone. The same goes for a chunk cancelled
    /// alone: a copy of it, started elsewhere as it straggled, won.
    /// </remarks>
    private object? Run(RunChunk chunk, IActorRef? router, PoolTerms terms)
    {
        object result;
        var cancellation = _cancellationOf(router);
        if (cancellation.IsCancelled(chunk.JobId, chunk.ChunkIndex))
            return null;
        Initialize(terms);
        try
        {
            if (terms.InitializerFailure is { } failure)
            {
                result = chunk.Work.FailAll(chunk.JobId, chunk.ChunkIndex, chunk.Offset, failure);
            }
            else
            {
                _scope.Begin(cancellation, chunk.JobId, chunk.ChunkIndex, terms.Initializer);
                _board?.Began(Self, chunk.JobId, chunk.ChunkIndex, chunk.Work.Count);
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
            UserText.Log(Context.GetLogger(), LogLevel.ErrorLevel, ex, $"ActorPool could not run or encode chunk {chunk.ChunkIndex} of job {chunk.JobId}; it fails with the reason.");
            result = chunk.Work.FailAll(chunk.JobId, chunk.ChunkIndex, chunk.Offset, ex);
        }
        if (terms.InitializerFailure is null)
            _board?.Ended(Self, (result as IChunkResult)?.Failures?.Length ?? 0);
        terms.TasksRun++;
        return cancellation.IsCancelled(chunk.JobId, chunk.ChunkIndex) ? null : result;
    }
}
