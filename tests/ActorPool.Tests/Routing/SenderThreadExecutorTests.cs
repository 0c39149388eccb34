using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Routing;
using ActorPool.Workers;
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
        bool ranBeforeExecuteReturned;
        using (SenderThreadExecutor.RouteHere())
            Assert.Equal(Environment.CurrentManagedThreadId, ThreadOfRun(executor, out ranBeforeExecuteReturned));
        Assert.True(ranBeforeExecuteReturned);
    }

    [Fact]
    public void Execute_AfterTheMarkedScopeEnds_RunsOnTheThreadPool()
    {
        var executor = new SenderThreadExecutor("test");
        using (SenderThreadExecutor.RouteHere())
        {
            // a scope that has ended marks nothing
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

        using (SenderThreadExecutor.RouteHere())
            Assert.Equal(Environment.CurrentManagedThreadId, ThreadOfRun(executor));
    }

    [Fact]
    public void Execute_ARunThatThrows_LeavesTheThreadFreeToRunTheNext()
    {
        var executor = new SenderThreadExecutor("test");
        using (SenderThreadExecutor.RouteHere())
        {
            Assert.Throws<InvalidOperationException>(() => executor.Execute(new Runnable(() => throw new InvalidOperationException())));
            Assert.Equal(Environment.CurrentManagedThreadId, ThreadOfRun(executor));
        }
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

    [Fact]
    public void WorkerGroupDispatch_SendsTheChunkMarked()
    {
        var workers = new TellRecorder();
        new WorkerGroup(workers, ActorRefs.Nobody, work => work).Dispatch(new RunChunk(1, 0, 0, new MapWork<int, int>(x => x, new[] { 1 }), ActorRefs.Nobody));
        Assert.True(workers.ToldMarked);
        Assert.False(SenderThreadExecutor.IsRoutingHere);
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

    [Fact]
    public void WorkerBatchEnd_IsSentMarked()
    {
        using var system = ActorSystem.Create("marks");
        var worker = system.ActorOf(WorkerActor.Props(null, null, CancellationToken.None, null, _ => new TaskCancellation(), _ => new BatchClaims<IActorRef>(), 16));
        var router = new TellRecorder();
        worker.Tell(new RunBatch(1, [new RunChunk(1, 0, 0, new MapWork<int, int>(x => x, new[] { 1 }), ActorRefs.Nobody)]), router);
        router.Told.WaitFor();
        Assert.IsType<BatchDone>(router.Message);
        Assert.True(router.ToldMarked);
    }

    /// <summary>A stand-in for the work-pulling router that notes its first message and whether it was told from inside <see cref="SenderThreadExecutor.RouteHere"/>.</summary>
    private sealed class TellRecorder : MinimalActorRef
    {
        public Signal Told { get; } = new();

        public object? Message { get; private set; }

        public bool? ToldMarked { get; private set; }

        public override IActorRefProvider Provider => throw new NotSupportedException();

        public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "test")) / "workers";

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (Message is not null)
                return;
            (Message, ToldMarked) = (message, SenderThreadExecutor.IsRoutingHere);
            Told.Set();
        }
    }
}
