namespace ActorPool;

/// <summary>
/// How one job runs its tasks: their timeout, retries, where its progress goes, and whether it is durable. Pass it as the <c>options</c> argument of any
/// submission (<c>Map</c>, <c>IMap</c>, <c>Apply</c>, …); one instance may serve many jobs. Checked
/// when a job is submitted: an out-of-range property is an <see cref="ArgumentOutOfRangeException"/>
/// naming it (<c>options.Retries</c>, …).
/// </summary>
public sealed class JobOptions
{
    /// <summary>
    /// The longest one attempt of an item may run. At the timeout its <see cref="PoolContext.CancellationToken"/>
    /// is cancelled and the attempt fails with <see cref="TimeoutException"/> (and is retried, under
    /// <see cref="Retries"/> and <see cref="RetryIf"/>): <c>Map</c> fails with it, <c>IMap</c> throws it
    /// at the item's place and goes on. A function that ignores its token does not keep its worker:
    /// its thread is left to end alone, its result discarded, and the worker goes on with the next
    /// item on a fresh thread (on which the pool's <see cref="PoolOptions.Initializer"/>, which no timeout bounds, runs first);
    /// <c>Join</c> and <c>Dispose</c> do not wait for such threads. An async function's attempt is
    /// left to end alone the same way. A <see cref="PoolDeployment.LocalProcesses"/> worker process
    /// that left a thread so is replaced once it has sent its results. A timeout costs a hand-over
    /// between two threads of the worker per chunk, and a token per item. Default: null (none). Must
    /// be positive and at most <see cref="int.MaxValue"/> milliseconds (about 24.8 days).
    /// </summary>
    public TimeSpan? TaskTimeout { get; init; }

    /// <summary>
    /// Extra attempts an item gets after it fails (it threw, or ran past <see cref="TaskTimeout"/>), each on the same worker, so that a chunk's other
    /// items keep their results: the error a caller sees is the last attempt's. Default: 0 (none).
    /// Must not be negative. <see cref="PoolContext.Attempt"/> tells a task which attempt it is.
    /// </summary>
    public int Retries { get; init; }

    /// <summary>
    /// How long the worker waits before the first retry of an item; each later retry waits twice
    /// as long as the one before. The worker holds its slot meanwhile, and a cancelled job stops
    /// waiting. Default: <see cref="TimeSpan.Zero"/>. Must not be negative.
    /// </summary>
    public TimeSpan RetryDelay { get; init; }

    /// <summary>
    /// Which failures are retried: called on the worker with the exception of a failed attempt,
    /// retried when it returns true. If it throws, the item fails with what it threw. For workers in
    /// other processes it must be nameable (a static method, or a lambda that captures nothing: unlike
    /// the job's function, its captured variables do not travel). Default: null, every failure is retried.
    /// </summary>
    public Func<Exception, bool>? RetryIf { get; init; }

    /// <summary>
    /// Re-runs stragglers: once the job has nothing left to hand out and a worker is idle, a chunk
    /// running much longer than the job's typical one (<c>actorpool.speculation</c> in reference.conf:
    /// 3 times the median time of its items, and at least 1 s) is started again on the idle worker.
    /// The first result wins; the other copy's token (<see cref="PoolContext.CancellationToken"/>)
    /// is cancelled and its result discarded, so no result counts twice, but a task may run twice:
    /// use it for tasks whose side effects may repeat. Chunks are what is copied: with
    /// <c>chunkSize</c> 1 (IMap's default) that is one item. For work-pulling routing (the default,
    /// and every distributed pool); other routings ignore it. Default: false.
    /// </summary>
    public bool Speculative { get; init; }

    /// <summary>
    /// Receives the job's <see cref="JobProgress"/>: at least every 250 ms while its counts change,
    /// and a last time when it ends, before its result is set (so once <c>Map</c> returns or
    /// <c>Get</c> does, the last report has been made). Reports are made one at a time, on the
    /// thread pool, never on a worker or inside an actor; a slow handler gets fewer reports, never a
    /// queue of stale ones. A <see cref="Progress{T}"/> only posts each report to its
    /// synchronization context (a UI thread's, or the thread pool's), where its handler may run
    /// later and out of order: implement <see cref="IProgress{T}"/> to act on reports as they are
    /// made. One that throws is logged and changes nothing else. Default: null (none).
    /// </summary>
    public IProgress<JobProgress>? Progress { get; init; }

    /// <summary>
    /// Makes the job durable, under this id, in the pool's journal (<see cref="PoolOptions.JournalPath"/>,
    /// required): each chunk's results are recorded as they complete (committed within 200 ms), and
    /// submitting the same job again (the same function, the same inputs) after its driver died
    /// runs only what was not recorded, returning the recorded results with the new ones, in order;
    /// a job that finished returns its results without running anything. A different job under a
    /// recorded id is refused with <see cref="InvalidOperationException"/>. The function must be
    /// nameable (a static method, or a lambda that captures nothing), and its inputs and results
    /// serializable. Failed items are not recorded: a resumed job runs them again. For <c>Map</c>,
    /// <c>MapAsync</c>, <c>StarMap</c> and <c>StarMapAsync</c> so far. Default: null (not durable).
    /// </summary>
    public string? JobId { get; init; }
}
