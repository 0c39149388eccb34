using ActorPool.Lifecycle;

namespace ActorPool.Protocol;

/// <summary>
/// A thread of a worker's own that runs the items of jobs with a timeout (<see cref="TimedChunk"/>),
/// while the worker's thread watches their deadlines. A runner whose item outlives its timeout is
/// abandoned: its thread ends when that item does, and the worker starts a fresh runner. Before
/// a thread's first item of a pool, the pool's initializer runs on it, as in any worker that
/// replaces one, so that what it sets up for its thread is there.
/// </summary>
/// <remarks>
/// The thread is a background one, so an abandoned runner never keeps the process alive, and
/// nothing (Join, Dispose) waits for it. The semaphore's release publishes the chunk handed over.
/// </remarks>
internal sealed class TaskRunner : IDisposable
{
    /// <summary>Initializers remembered as run before all are forgotten (and run again): a node's runner serves any pool.</summary>
    private const int InitializersRemembered = 1024;

    private readonly JobRegistry? _pool;
    private readonly SemaphoreSlim _go = new(0);
    // On the runner's thread only: the initializers it has run, with what each threw.
    private readonly Dictionary<Action, Exception?> _initialized = new();
    private TimedChunk? _chunk;
    private TimedChunk.Start _from;
    private volatile bool _disposed;

    /// <param name="pool">The pool whose tasks run here, so that they cannot wait on it; null on a node host.</param>
    public TaskRunner(JobRegistry? pool)
    {
        _pool = pool;
        new Thread(Loop) { IsBackground = true, Name = "actorpool-task-runner" }.Start();
    }

    /// <summary>Hands <paramref name="chunk"/> over, to run from <paramref name="from"/>; returns at once.</summary>
    public void Run(TimedChunk chunk, TimedChunk.Start from)
    {
        _chunk = chunk;
        _from = from;
        _go.Release();
    }

    /// <summary>Ends the thread once it is idle; it is, unless abandoned, since its worker only stops between chunks.</summary>
    public void Dispose()
    {
        _disposed = true;
        _go.Release();
    }

    private void Loop()
    {
        using var own = OwnPool.Enter(_pool);
        var scope = new TaskScope(asyncItems: 1, _pool);
        while (true)
        {
            _go.Wait();
            if (_disposed)
                return;
            var chunk = _chunk!;
            _chunk = null;
            if (!chunk.RunOn(scope, _from, Initialize(chunk.Initializer)))
            {
                TimedChunk.LeftEnded(); // abandoned: the worker has a fresh runner, and this thread ends with its item
                return;
            }
        }
    }

    /// <summary>Runs <paramref name="initializer"/> on this thread unless it has; returns what it threw, which the pool's items here fail with, as in a worker.</summary>
    private Exception? Initialize(Action? initializer)
    {
        if (initializer is null)
            return null;
        if (_initialized.TryGetValue(initializer, out var failure))
            return failure;
        try
        {
            initializer();
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        if (_initialized.Count >= InitializersRemembered)
            _initialized.Clear();
        _initialized[initializer] = failure;
        return failure;
    }
}
