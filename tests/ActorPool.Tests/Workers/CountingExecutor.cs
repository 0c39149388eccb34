using System.Collections.Concurrent;
using Akka.Configuration;
using Akka.Dispatch;

namespace ActorPool.Tests.Workers;

/// <summary>
/// The executor of a test dispatcher: runs mailboxes on the thread pool, and counts the runs it was
/// asked for and those that have ended, so a test can tell whether a message took a run of its own.
/// </summary>
internal sealed class CountingExecutor(string id) : ExecutorService(id)
{
    private static readonly ConcurrentDictionary<string, CountingExecutor> ById = new();
    private int _runs, _finished;

    /// <summary>Runs asked for.</summary>
    public int Runs => Volatile.Read(ref _runs);

    /// <summary>Runs that have ended.</summary>
    public int Finished => Volatile.Read(ref _finished);

    /// <summary>The executor of the dispatcher <paramref name="id"/>, made on first use (by Akka or by the test, whichever asks first).</summary>
    public static CountingExecutor Of(string id) => ById.GetOrAdd(id, key => new CountingExecutor(key));

    public override void Execute(IRunnable run)
    {
        Interlocked.Increment(ref _runs);
        ThreadPool.UnsafeQueueUserWorkItem(r =>
        {
            try
            {
                r.Run();
            }
            finally
            {
                Interlocked.Increment(ref _finished);
            }
        }, run, preferLocal: false);
    }

    public override void Shutdown()
    {
        // Nothing of its own to stop: runs are on the thread pool.
    }
}

/// <summary>Makes <see cref="CountingExecutor"/>s; named by <c>executor</c> in a test dispatcher's configuration.</summary>
internal sealed class CountingExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites) : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => CountingExecutor.Of(id);
}
