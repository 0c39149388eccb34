using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Routing;
using Akka.Actor;
using Akka.Dispatch;

namespace ActorPool.Tests.Routing;

/// <summary>The in-process work-pulling router runs on the thread of a marked send, one run per thread at most; anything else runs it on the thread pool.</summary>
public sealed class SenderThreadExecutorTests
{
    private sealed class Runnable(Action action) : IRunnable
    {
        public void Run() => action();

        public void Execute() => Run();
    }

    [Fact]
    public void Execute_MarkedOnAThreadRunningNone_RunsOnThatThreadBeforeReturning()
    {
        var executor = new SenderThreadExecutor("test");
        int? ranOn = null;
        using (SenderThreadExecutor.RouteHere())
            executor.Execute(new Runnable(() => ranOn = Environment.CurrentManagedThreadId));
        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
    }

    [Fact]
    public void Execute_AfterTheMarkedScopeEnds_RunsOnTheThreadPool()
    {
        var executor = new SenderThreadExecutor("test");
        using (SenderThreadExecutor.RouteHere())
        {
        }
        Assert.NotEqual(Environment.CurrentManagedThreadId, ThreadOfRun(executor));
    }

    [Fact]
    public void Execute_MarkedFromInsideARun_RunsOnTheThreadPool_AndTheThreadRunsInlineAgainAfter()
    {
        var executor = new SenderThreadExecutor("test");
        var innerThread = 0;
        var innerRanInline = true;
        using (SenderThreadExecutor.RouteHere())
        {
            executor.Execute(new Runnable(() =>
            {
                using (SenderThreadExecutor.RouteHere())
                    innerThread = ThreadOfRun(executor, out innerRanInline);
            }));
        }
        Assert.False(innerRanInline);
        Assert.NotEqual(Environment.CurrentManagedThreadId, innerThread);

        int? ranOn = null;
        using (SenderThreadExecutor.RouteHere())
            executor.Execute(new Runnable(() => ranOn = Environment.CurrentManagedThreadId));
        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
    }

    [Fact]
    public void Execute_ARunThatThrows_LeavesTheThreadFreeToRunTheNext()
    {
        var executor = new SenderThreadExecutor("test");
        using (SenderThreadExecutor.RouteHere())
        {
            Assert.Throws<InvalidOperationException>(() => executor.Execute(new Runnable(() => throw new InvalidOperationException())));
            int? ranOn = null;
            executor.Execute(new Runnable(() => ranOn = Environment.CurrentManagedThreadId));
            Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
        }
    }

    /// <summary>Has <paramref name="executor"/> run something from this thread; returns the thread it ran on, once it has.</summary>
    private static int ThreadOfRun(SenderThreadExecutor executor) => ThreadOfRun(executor, out _);

    private static int ThreadOfRun(SenderThreadExecutor executor, out bool ranBeforeExecuteReturned)
    {
        var ran = new Signal();
        var thread = 0;
        executor.Execute(new Runnable(() =>
        {
            Volatile.Write(ref thread, Environment.CurrentManagedThreadId);
            ran.Set();
        }));
        ranBeforeExecuteReturned = Volatile.Read(ref thread) == Environment.CurrentManagedThreadId;
        ran.WaitFor();
        return Volatile.Read(ref thread);
    }

    [Theory]
    [InlineData(PoolRouting.WorkPulling, PoolSettings.RouterDispatcherId)]
    [InlineData(PoolRouting.RoundRobin, "akka.actor.default-dispatcher")]
    public void InProcessPool_WorkPullingRouter_HasTheSenderThreadDispatcher(PoolRouting routing, string dispatcherId)
    {
        using var pool = new Pool(new PoolOptions { Processes = 2, Routing = routing });
        var workers = ((ActorRefWithCell)pool.Router).GetSingleChild(ClusterNames.Workers);
        var cell = Assert.IsAssignableFrom<ActorCell>(((ActorRefWithCell)workers).Underlying);
        Assert.Equal(dispatcherId, cell.Dispatcher.Id);
        Assert.Equal(4, pool.Apply(x => x * x, 2));
    }
}
