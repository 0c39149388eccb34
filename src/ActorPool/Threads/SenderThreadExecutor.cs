using Akka.Configuration;
using Akka.Dispatch;

namespace ActorPool.Threads;

/// <summary>
/// The executor of the in-process work-pulling router's dispatcher (<c>actorpool.router-dispatcher</c>):
/// a message sent from inside <see cref="RouteHere"/> has the router's mailbox run on the sending
/// thread, when no other thread runs it. ActorPool marks two sends so: a job's chunks leaving for
/// the workers (<c>Routing.WorkerGroup.Dispatch</c>: a submitted task is routed on the caller's
/// thread) and a worker's report that its batch is done (the next work is routed on the worker's
/// thread). That is how Akka's own pool routers route, on the sender's thread; the thread-pool
/// hop each side of a round trip is gone. Any other message (a timer's tick, a system message,
/// a job's cancellation) runs the router on the thread pool, as before.
/// </summary>
/// <remarks>
/// <para>The actor model holds: Akka claims a mailbox's run before it asks the executor, so one
/// thread at a time runs it, and a message that arrives meanwhile is handled in that run or in
/// the one scheduled at its end. Akka saves and restores the current actor around a run, so a run
/// nested in another actor's message (a job the pool's router actor starts) is safe, as in Akka's
/// CallingThreadDispatcher.</para>
/// <para>At most one run per thread: a mailbox scheduled from inside a run (the reschedule at its
/// end when messages remain, or a send to another pool's router) goes to the thread pool, so the
/// stack never nests runs, and what one sender does is bounded by one run of <c>throughput</c>
/// messages.</para>
/// <para>The router runs no user code and waits on nothing but brief locks of its own (the claims
/// and cancellations of its workers); it only queues chunks and tells workers. A sender that routes
/// pays for it in microseconds, other senders' messages in its run included.</para>
/// </remarks>
internal sealed class SenderThreadExecutor(string id) : ExecutorService(id)
{
    [ThreadStatic] private static bool t_routeHere; // what this thread sends now is marked
    [ThreadStatic] private static bool t_running; // this thread runs a mailbox of a SenderThreadExecutor

    /// <summary>Marks what this thread sends until the scope is disposed: the router may run here.</summary>
    public static Scope RouteHere()
    {
        var scope = new Scope(t_routeHere);
        t_routeHere = true;
        return scope;
    }

    /// <summary>Whether what this thread sends now is marked (<see cref="RouteHere"/>).</summary>
    public static bool IsRoutingHere => t_routeHere;

    public override void Execute(IRunnable run)
    {
        if (IsRoutingHere && !t_running)
            RunMarked(run);
        else
            ThreadPool.UnsafeQueueUserWorkItem(static run => RunMarked(run), run, preferLocal: false);
    }

    public override void Shutdown()
    {
        // Nothing of its own to stop: a run in progress finishes on its thread.
    }

    private static void RunMarked(IRunnable run)
    {
        t_running = true;
        try
        {
            run.Run();
        }
        finally
        {
            t_running = false;
        }
    }

    /// <summary>The extent of <see cref="RouteHere"/>: disposing it restores the mark as it was before.</summary>
    public readonly struct Scope(bool before) : IDisposable
    {
        public void Dispose() => t_routeHere = before;
    }
}

/// <summary>Makes <see cref="SenderThreadExecutor"/>s; named by <c>executor</c> in a dispatcher's configuration.</summary>
internal sealed class SenderThreadExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
    : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => new SenderThreadExecutor(id);
}
