using System.Collections.Concurrent;
using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Remote;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using static ActorPool.Tests.Routing.Chunks;

namespace ActorPool.Tests.Remote;

/// <summary>
/// The mailbox of a node's workers, in process: a worker that holds its first batch at a gate while
/// batches keep coming, on a node that lets 4 chunks wait. What passes the limit is answered to its
/// sender and never reaches the worker; what waited is counted until the worker takes it, or until
/// the worker stops.
/// </summary>
public sealed class NodeWorkerMailboxTests() : TestKit(Limits.WithFallback(ReferenceConfig.Get()))
{
    private static readonly Config Limits = ConfigurationFactory.ParseString($"""
        {NodeQueue.ConfigPath}.max-chunks = 4
        {NodeQueue.ConfigPath}.max-bytes = 1 MiB
        """);

    private readonly Gate _gate = new();
    private readonly Signal _holding = new();
    private readonly BlockingCollection<long> _received = new();

    /// <summary>A worker stand-in on the node's mailbox: it notes each batch it gets, and holds the first at the gate.</summary>
    private sealed class Holder : ReceiveActor
    {
        public Holder(Gate gate, Signal holding, BlockingCollection<long> received)
        {
            var first = true;
            Receive<RunBatch>(batch =>
            {
                received.Add(batch.BatchId);
                if (!first)
                    return;
                first = false;
                holding.Set();
                gate.Pass();
            });
        }
    }

    private QueueLimit Limit => NodeQueue.Get(Sys).Limit;

    /// <summary>A worker on the node's mailbox, already holding a first batch (taken out of its mailbox, so no longer waiting).</summary>
    private IActorRef HoldingWorker(IActorRef sender)
    {
        var worker = Sys.ActorOf(Props.Create(() => new Holder(_gate, _holding, _received))
            .WithDispatcher(PoolSettings.WorkerDispatcherId)
            .WithMailbox(NodeWorkerMailbox.Id));
        worker.Tell(Batch(0, chunks: 1), sender);
        _holding.WaitFor();
        Assert.Equal(0, Take());
        return worker;
    }

    private static RunBatch Batch(long id, int chunks) =>
        new(id, Enumerable.Range(0, chunks).Select(index => Of(id, index, wireBytes: 10)).ToArray());

    private long Take() =>
        _received.TryTake(out var id, Gate.Limit) ? id : throw new TimeoutException("The worker got no batch.");

    [Fact]
    public void Batches_PastTheNodesLimit_AreAnsweredRefusedInTheWorkersName_LoggedOnce_AndNeverReachTheWorker()
    {
        var router = CreateTestProbe();
        var worker = HoldingWorker(router.Ref);
        Assert.Equal((0, 0L, 0L), Limit.Waiting);

        EventFilter.Warning(contains: "Refused a batch of work from akka://").Expect(1, () =>
        {
            for (var id = 1; id <= 10; id++)
                worker.Tell(Batch(id, chunks: 2), router.Ref);
            // 1 and 2 fill the 4 chunks; each later one is refused as it comes, in order.
            for (var id = 3; id <= 10; id++)
            {
                Assert.Equal(id, router.ExpectMsg<BatchRefused>().BatchId);
                Assert.Equal(worker, router.LastSender);
            }
        });
        Assert.Equal((2, 4L, 40L), Limit.Waiting);

        _gate.Open();
        Assert.Equal(1, Take());
        Assert.Equal(2, Take());
        // The count went back to nothing: a batch as large as the limit gets in, and nothing refused came before it.
        worker.Tell(Batch(11, chunks: 4), router.Ref);
        Assert.Equal(11, Take());
        Assert.Equal((0, 0L, 0L), Limit.Waiting);
        router.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void EmptyBatches_EachCountAsAChunk_SoAFloodOfThemIsRefusedToo()
    {
        var router = CreateTestProbe();
        var worker = HoldingWorker(router.Ref);
        for (var id = 1; id <= 6; id++)
            worker.Tell(new RunBatch(id, []), router.Ref);
        Assert.Equal(5, router.ExpectMsg<BatchRefused>().BatchId);
        Assert.Equal(6, router.ExpectMsg<BatchRefused>().BatchId);
        Assert.Equal((4, 4L, 0L), Limit.Waiting);
        _gate.Open();
    }

    [Fact]
    public void Worker_StoppedWithBatchesWaiting_TheyLeaveTheCountWithIt()
    {
        var router = CreateTestProbe();
        var worker = HoldingWorker(router.Ref);
        worker.Tell(Batch(1, chunks: 2), router.Ref);
        worker.Tell(Batch(2, chunks: 2), router.Ref);
        Assert.Equal((2, 4L, 40L), Limit.Waiting);
        Watch(worker);
        ((IInternalActorRef)worker).Stop(); // a system message, taken before the next batch: 1 and 2 go to dead letters
        _gate.Open();
        ExpectTerminated(worker);
        Assert.Equal((0, 0L, 0L), Limit.Waiting);
        Assert.Empty(_received);
    }

    [Fact]
    public void NoSender_TheRefusalIsOnlyLogged()
    {
        var worker = HoldingWorker(CreateTestProbe().Ref);
        worker.Tell(Batch(1, chunks: 4), ActorRefs.NoSender);
        EventFilter.Warning(contains: "Refused a batch of work with no sender").ExpectOne(() => worker.Tell(Batch(2, chunks: 1), ActorRefs.NoSender));
        Assert.Equal((1, 4L, 40L), Limit.Waiting);
        _gate.Open();
    }
}
