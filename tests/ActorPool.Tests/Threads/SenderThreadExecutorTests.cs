using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Routing;
using ActorPool.Threads;
using ActorPool.Workers;
using Akka.Actor;
using Akka.Dispatch;

namespace ActorPool.Tests.Threads;

/// <summary>The in-process work-pulling router runs on the thread of a marked send, one run per thread at most; anything else runs it on the thread pool.</summary>
public sealed class SenderThreadExecutorTests
{
    [Fact]
    public void Execute_MarkedOnAThreadRunningNone_RunsOnThatThreadBeforeReturning()
    {
        var executor = new SenderThreadExecutor("test");
        Ran ran;
        using (SenderThreadExecutor.RouteHere())
            ran = RunOn(executor);
        Assert.Equal(Environment.CurrentManagedThreadId, ran.Thread);
        Assert.True(ran.BeforeExecuteReturned);
    }

    [Fact]
    public void Execute_AfterTheMarkedScopeEnds_RunsOnTheThreadPool()
    {
        var executor = new SenderThreadExecutor("test");
        using (SenderThreadExecutor.RouteHere())
        {
            // a scope that has ended marks nothing
        }
        var ran = RunOn(executor);
        Assert.NotEqual(Environment.CurrentManagedThreadId, ran.Thread);
        Assert.True(ran.OnThreadPool);
    }

    [Fact]
    public void Execute_MarkedFromInsideARun_RunsOnTheThreadPool_AndTheThreadRunsInlineAgainAfter()
    {
        var executor = new SenderThreadExecutor("test");
        Ran? inner = null;
        using (SenderThreadExecutor.RouteHere())
        {
            executor.Execute(new Runnable(() =>
            {
                using (SenderThreadExecutor.RouteHere())
                    inner = RunOn(executor);
            }));
        }
        Assert.NotNull(inner); // the outer run was inline: it had ended when Execute returned
        Assert.False(inner.Value.BeforeExecuteReturned);
        Assert.True(inner.Value.OnThreadPool);
        Assert.NotEqual(Environment.CurrentManagedThreadId, inner.Value.Thread);

        using (SenderThreadExecutor.RouteHere())
            Assert.Equal(Environment.CurrentManagedThreadId, RunOn(executor).Thread);
    }

    [Fact]
    public void Execute_ARunThatThrows_LeavesTheThreadFreeToRunTheNext()
    {
        var executor = new SenderThreadExecutor("test");
        using (SenderThreadExecutor.RouteHere())
        {
            Assert.Throws<InvalidOperationException>(() => executor.Execute(new Runnable(() => throw new InvalidOperationException())));
            Assert.Equal(Environment.CurrentManagedThreadId, RunOn(executor).Thread);
        }
    }

    [Fact]
    public void RouteHere_Nested_TheInnerScopeEndingLeavesTheOuterMark()
    {
        using (SenderThreadExecutor.RouteHere())
        {
            using (SenderThreadExecutor.RouteHere())
                Assert.True(SenderThreadExecutor.IsRoutingHere);
            Assert.True(SenderThreadExecutor.IsRoutingHere);
        }
        Assert.False(SenderThreadExecutor.IsRoutingHere);
    }

    [Fact]
    public void WorkerGroupDispatch_SendsTheChunkMarked()
    {
        var workers = new RecordingRouter();
        new WorkerGroup(workers, ActorRefs.Nobody, work => work).Dispatch(new RunChunk(1, 0, 0, new MapWork<int, int>(x => x, new[] { 1 }), ActorRefs.Nobody));
        var (message, marked) = workers.Next();
        Assert.IsType<RunChunk>(message);
        Assert.True(marked);
        Assert.False(SenderThreadExecutor.IsRoutingHere);
    }

    [Fact]
    public void WorkerBatchEnd_IsSentMarked()
    {
        using var system = ActorSystem.Create("marks");
        var worker = system.ActorOf(WorkerActor.Props(null, null, CancellationToken.None, null, _ => new TaskCancellation(), _ => new BatchClaims<IActorRef>(), 16, TimeSpan.Zero));
        var router = new RecordingRouter();
        worker.Tell(new RunBatch(1, [new RunChunk(1, 0, 0, new MapWork<int, int>(x => x, new[] { 1 }), ActorRefs.Nobody)]), router);
        var (message, marked) = router.Next();
        Assert.IsType<BatchDone>(message);
        Assert.True(marked);
    }

    [Theory]
    [InlineData(PoolRouting.WorkPulling, PoolSettings.RouterDispatcherId)]
    [InlineData(PoolRouting.RoundRobin, "akka.actor.default-dispatcher")]
    public void InProcessPool_TheWorkersRouter_IsOnTheRouterDispatcherUnderWorkPullingOnly(PoolRouting routing, string dispatcherId)
    {
        using var pool = new Pool(new PoolOptions { Processes = 2, Routing = routing });
        var workers = ((ActorRefWithCell)pool.Router).GetSingleChild(ClusterNames.Workers);
        var cell = Assert.IsAssignableFrom<ActorCell>(((ActorRefWithCell)workers).Underlying);
        Assert.Equal(dispatcherId, cell.Dispatcher.Id);
        Assert.Equal(4, pool.Apply(x => x * x, 2));
    }

    /// <summary>Where a run went: its thread, whether that is a thread-pool thread, whether it ran before <c>Execute</c> returned.</summary>
    private readonly record struct Ran(int Thread, bool OnThreadPool, bool BeforeExecuteReturned);

    /// <summary>Has <paramref name="executor"/> run something from this thread; says where it ran, once it has.</summary>
    private static Ran RunOn(SenderThreadExecutor executor)
    {
        var done = new Signal();
        var thread = 0;
        var onThreadPool = false;
        executor.Execute(new Runnable(() =>
        {
            onThreadPool = Thread.CurrentThread.IsThreadPoolThread;
            Volatile.Write(ref thread, Environment.CurrentManagedThreadId);
            done.Set();
        }));
        var beforeReturn = Volatile.Read(ref thread) == Environment.CurrentManagedThreadId;
        done.WaitFor();
        return new Ran(Volatile.Read(ref thread), onThreadPool, beforeReturn);
    }

    private sealed class Runnable(Action action) : IRunnable
    {
        public void Run() => action();

        public void Execute() => Run();
    }
}
