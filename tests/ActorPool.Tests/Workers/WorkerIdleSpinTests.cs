using ActorPool.Protocol;
using ActorPool.Workers;
using Akka.Actor;
using Akka.Configuration;

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
        test.WaitForDone(1);
        test.Send(2); // the worker is spinning after batch 1
        test.WaitForDone(2);
        Assert.Equal(runs + 1, test.Executor.Runs);
        Assert.Equal(runs, test.Executor.Finished); // the run that took batch 1 is still going
    }

    [Fact]
    public void Worker_WithoutASpin_ABatchSentOnceItsRunEnded_NeedsANewRun()
    {
        // What the test above counts, without the spin: each batch a run of its own. This checks the
        // counting, not the spin.
        using var test = new SpinningWorker(TimeSpan.Zero);
        test.WaitIdle();
        var runs = test.Executor.Runs;
        test.Send(1);
        test.WaitForDone(1);
        test.WaitIdle();
        test.Send(2);
        test.WaitForDone(2);
        Assert.Equal(runs + 2, test.Executor.Runs);
    }

    [Fact]
    public void Worker_SpinningWhenItsPoolStops_EndsItsRun()
    {
        using var test = new SpinningWorker(Endless);
        test.WaitIdle();
        test.Send(1);
        test.WaitForDone(1);
        test.Stopping.Cancel();
        test.WaitIdle();
    }

    /// <summary>A worker with <paramref name="idleSpin"/> on a dispatcher whose executor counts its runs, sent batches by a stand-in router.</summary>
    private sealed class SpinningWorker : IDisposable
    {
        private readonly ActorSystem _system;
        private readonly IActorRef _worker;
        private readonly RecordingRouter _router = new();

        public SpinningWorker(TimeSpan idleSpin)
        {
            var dispatcher = $"counting-{Guid.NewGuid():N}";
            _system = ActorSystem.Create("spin", ConfigurationFactory.ParseString(
                $"{dispatcher} {{ type = Dispatcher, throughput = 100, executor = \"{typeof(CountingExecutorConfigurator).AssemblyQualifiedName}\" }}"));
            _worker = _system.ActorOf(WorkerActor.Props(null, null, Stopping.Token, null, _ => new TaskCancellation(), _ => new BatchClaims<IActorRef>(), 16, idleSpin)
                .WithDispatcher(dispatcher));
            Executor = CountingExecutor.Of(dispatcher);
            // Started once it answers: its first runs (creation, this answer) are over before WaitIdle
            // can see them all ended, so none of them can take a batch a test counts on a run of its own.
            _worker.Tell(new Identify(null), _router);
            Assert.IsType<ActorIdentity>(_router.Next().Message);
        }

        public CountingExecutor Executor { get; }

        public CancellationTokenSource Stopping { get; } = new();

        public void Send(long batchId) =>
            _worker.Tell(new RunBatch(batchId, [new RunChunk(1, (int)batchId, 0, new MapWork<int, int>(x => x, new[] { 1 }), ActorRefs.Nobody)]), _router);

        /// <summary>Waits for the end of batch <paramref name="batchId"/>, the next message the worker sends its router.</summary>
        public void WaitForDone(long batchId) => Assert.Equal(batchId, Assert.IsType<BatchDone>(_router.Next().Message).BatchId);

        /// <summary>Waits until every run of the worker's mailbox has ended.</summary>
        public void WaitIdle() =>
            Assert.True(SpinWait.SpinUntil(() => Executor.Finished == Executor.Runs, Gate.Limit), "The worker's mailbox run never ended.");

        public void Dispose()
        {
            Stopping.Cancel(); // ends a spin
            _system.Dispose();
            Stopping.Dispose();
        }
    }
}
