using System.Collections.Concurrent;
using ActorPool.Protocol;
using ActorPool.Workers;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace ActorPool.Tests.Workers;

/// <summary>
/// A worker out of work spins for its next message (<c>actorpool.idle-spin</c>): a batch that
/// comes meanwhile runs in the same mailbox run, without its dispatcher running the worker again;
/// a spin ends when a message comes or the pool stops, not only when its time is up.
/// </summary>
public sealed class WorkerIdleSpinTests
{
    // Far past the test's limit: a spin that did not end at a message or at stopping fails the test.
    private static readonly TimeSpan Endless = 2 * Gate.Limit;

    [Fact]
    public void Worker_ABatchSentWhileItSpins_RunsInTheSameMailboxRun()
    {
        using var test = new SpinningWorker(Endless);
        test.WaitIdle();
        var runs = test.Executor.Runs;
        test.Send(1);
        test.Router.WaitForDone(1);
        test.Send(2); // the worker is spinning after batch 1
        test.Router.WaitForDone(2);
        Assert.Equal(runs + 1, test.Executor.Runs);
        Assert.Equal(runs, test.Executor.Finished); // the run that took batch 1 is still going
    }

    [Fact]
    public void Worker_WithoutASpin_ABatchSentOnceItsRunEnded_NeedsANewRun()
    {
        using var test = new SpinningWorker(TimeSpan.Zero);
        test.WaitIdle();
        var runs = test.Executor.Runs;
        test.Send(1);
        test.Router.WaitForDone(1);
        test.WaitIdle();
        test.Send(2);
        test.Router.WaitForDone(2);
        Assert.Equal(runs + 2, test.Executor.Runs);
    }

    [Fact]
    public void Worker_SpinningWhenItsPoolStops_EndsItsRun()
    {
        using var test = new SpinningWorker(Endless);
        test.WaitIdle();
        test.Send(1);
        test.Router.WaitForDone(1);
        test.Stopping.Cancel();
        test.WaitIdle();
    }

    /// <summary>A worker with <paramref name="idleSpin"/> on a dispatcher whose executor counts its runs, sent batches by a stand-in router.</summary>
    private sealed class SpinningWorker : IDisposable
    {
        private readonly ActorSystem _system;
        private readonly IActorRef _worker;

        public SpinningWorker(TimeSpan idleSpin)
        {
            var dispatcher = $"counting-{Guid.NewGuid():N}";
            _system = ActorSystem.Create("spin", ConfigurationFactory.ParseString(
                $"{dispatcher} {{ type = Dispatcher, throughput = 100, executor = \"{typeof(CountingExecutorConfigurator).AssemblyQualifiedName}\" }}"));
            _worker = _system.ActorOf(WorkerActor.Props(null, null, Stopping.Token, null, _ => new TaskCancellation(), _ => new BatchClaims<IActorRef>(), 16, idleSpin)
                .WithDispatcher(dispatcher));
            Executor = CountingExecutor.Of(dispatcher);
        }

        public CountingExecutor Executor { get; }

        public DoneRecorder Router { get; } = new();

        public CancellationTokenSource Stopping { get; } = new();

        public void Send(long batchId) =>
            _worker.Tell(new RunBatch(batchId, [new RunChunk(1, (int)batchId, 0, new MapWork<int, int>(x => x, new[] { 1 }), ActorRefs.Nobody)]), Router);

        /// <summary>Waits until every run of the worker's mailbox has ended.</summary>
        public void WaitIdle() =>
            Assert.True(SpinWait.SpinUntil(() => Executor.Finished == Executor.Runs, Gate.Limit), "The worker's mailbox run never ended.");

        public void Dispose()
        {
            Stopping.Cancel(); // ends a spin
            _system.Dispose();
        }
    }

    /// <summary>A stand-in for the work-pulling router: takes the batch ends a worker sends it.</summary>
    private sealed class DoneRecorder : MinimalActorRef
    {
        private readonly BlockingCollection<BatchDone> _done = new();

        public override IActorRefProvider Provider => throw new NotSupportedException();

        public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "test")) / "workers";

        public void WaitForDone(long batchId)
        {
            Assert.True(_done.TryTake(out var done, Gate.Limit), $"Batch {batchId} never ended.");
            Assert.Equal(batchId, done.BatchId);
        }

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (message is BatchDone done)
                _done.Add(done);
        }
    }
}

/// <summary>Runs mailboxes on the thread pool and counts the runs it was asked for and those that ended.</summary>
internal sealed class CountingExecutor(string id) : ExecutorService(id)
{
    private static readonly ConcurrentDictionary<string, CountingExecutor> ById = new();
    private int _runs, _finished;

    public int Runs => Volatile.Read(ref _runs);

    public int Finished => Volatile.Read(ref _finished);

    public static CountingExecutor Produce(string id) => ById.GetOrAdd(id, key => new CountingExecutor(key));

    public static CountingExecutor Of(string id) => Produce(id);

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
    }
}

internal sealed class CountingExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites) : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => CountingExecutor.Produce(id);
}
