using ActorPool.Lifecycle;

namespace ActorPool.Protocol;

/// <summary>
/// The task a worker thread is running, for <see cref="PoolContext"/>: its job, its cancellation
/// and the attempt of the item being run. A worker owns one and reuses it for every chunk. The
/// items of an async function run on the thread pool after their first await, so each carries an
/// <see cref="ItemScope"/> of its own, which flows with it. The items of a job with a timeout
/// run on the worker's <see cref="TaskRunner"/>, whose thread has a scope of its own per attempt.
/// </summary>
internal sealed class TaskScope : IDisposable
{
    [ThreadStatic] private static TaskScope? t_current;
    private static readonly AsyncLocal<ItemScope?> s_item = new();

    private TaskCancellation? _cancellation;
    private long _jobId;
    private long _chunkIndex;
    private bool _acquired;
    private CancellationToken _token;
    private bool _fixedToken;
    private TaskRunner? _runner;

    /// <summary>The scope of the task running on this thread; null outside a task.</summary>
    public static TaskScope? Current => t_current;

    /// <summary>The item of an async function whose code is running, wherever it runs; null elsewhere.</summary>
    public static ItemScope? CurrentItem => s_item.Value;

    /// <summary>The attempt of the item being run: 1, then 2 on its first retry, and so on.</summary>
    public int Attempt { get; set; }

    /// <summary>How many times items of the chunk being run were run again after a failure, so far; only the worker's thread counts them.</summary>
    public int Retries { get; set; }

    /// <param name="asyncItems">The most items of one chunk of an async function its worker runs at once.</param>
    /// <param name="pool">The pool whose tasks the worker runs; null on a node host.</param>
    public TaskScope(int asyncItems, JobRegistry? pool)
    {
        AsyncItems = asyncItems;
        Pool = pool;
    }

    /// <summary>The initializer of the pool whose chunk is being run, which a <see cref="TaskRunner"/>'s thread runs before its first item of that pool; null for none.</summary>
    public Action? Initializer { get; private set; }

    /// <summary>The thread that runs this worker's items that have a timeout, started on first use; only the worker's thread may ask.</summary>
    public TaskRunner Runner => _runner ??= new TaskRunner(Pool);

    /// <summary>Leaves the runner's thread to end alone (an item of it timed out): the next item gets a fresh one.</summary>
    public void AbandonRunner() => _runner = null;

    /// <summary>The worker has stopped: its runner's thread, if idle, ends; one left running an item ends with it.</summary>
    public void Dispose()
    {
        _runner?.Dispose();
        _runner = null;
    }

    /// <summary>The most items of one chunk of an async function run at once.</summary>
    public int AsyncItems { get; }

    /// <summary>The cancellation of the pool's tasks here.</summary>
    public TaskCancellation? Cancellation => _cancellation;

    /// <summary>The job of the chunk being run.</summary>
    public long JobId => _jobId;

    /// <summary>The chunk being run.</summary>
    public long ChunkIndex => _chunkIndex;

    /// <summary>The pool whose task this is, so that it cannot wait on that pool; null on a node host.</summary>
    public JobRegistry? Pool { get; }

    /// <summary>The task's cancellation token, made on first use; only the worker's thread may make it.</summary>
    public CancellationToken Token
    {
        get
        {
            if (!_acquired && !_fixedToken && _cancellation is not null)
            {
                _token = _cancellation.Acquire(_jobId, _chunkIndex);
                _acquired = true;
            }
            return _token;
        }
    }

    /// <summary>This thread runs chunk <paramref name="chunkIndex"/> of job <paramref name="jobId"/>, of the pool whose initializer is <paramref name="initializer"/>, until <see cref="End"/>.</summary>
    public void Begin(TaskCancellation cancellation, long jobId, long chunkIndex, Action? initializer = null)
    {
        (_cancellation, _jobId, _chunkIndex, _acquired, _token, Attempt, Initializer, Retries) = (cancellation, jobId, chunkIndex, false, default, 1, initializer, 0);
        t_current = this;
    }

    /// <summary>This thread (a <see cref="TaskRunner"/>'s) runs one attempt of an item of job <paramref name="jobId"/>, whose token is <paramref name="token"/>, until <see cref="End"/>.</summary>
    public void BeginAttempt(TaskCancellation? cancellation, long jobId, CancellationToken token, int attempt)
    {
        (_cancellation, _jobId, _acquired, _token, _fixedToken, Attempt) = (cancellation, jobId, false, token, true, attempt);
        t_current = this;
    }

    /// <summary>The chunk, or the attempt, has ended: the thread runs no task, and the token, if one was made, is let go.</summary>
    public void End()
    {
        t_current = null;
        if (_acquired)
            _cancellation!.Release(_jobId, _chunkIndex);
        (_cancellation, _acquired, _token, _fixedToken, Attempt, Initializer) = (null, false, default, false, 0, null);
    }

    /// <summary>Makes <paramref name="item"/> the item of the code that runs from here on in the caller's async flow.</summary>
    public static void EnterItem(ItemScope item) => s_item.Value = item;
}

/// <summary>One item of an async function: its token (its chunk's), its attempt and its pool.</summary>
internal sealed class ItemScope(CancellationToken token, JobRegistry? pool)
{
    public CancellationToken Token { get; } = token;

    public JobRegistry? Pool { get; } = pool;

    public int Attempt { get; set; } = 1;
}
