using ActorPool.Protocol;
using ActorPool.Routing;
using static ActorPool.Tests.Routing.Chunks;

namespace ActorPool.Tests.Routing;

public sealed class WorkQueueTests
{
    private static WorkQueue Queue(params RunChunk[] chunks)
    {
        var queue = new WorkQueue(batchDivisor: 2, maxBatch: 8);
        foreach (var chunk in chunks)
            queue.Enqueue(chunk);
        return queue;
    }

    [Fact]
    public void TakeBatch_ShrinksAsTheQueueDrains_GuidedSelfScheduling()
    {
        var queue = Queue(Job(1, 40));
        var sizes = new List<int>();
        while (queue.Count > 0)
            sizes.Add(queue.TakeBatch(workers: 2, travelsAlone: _ => false).Length);
        // pending / (2 × 2 workers), rounded up, at most 8: 40 → 8 (capped), 32 → 8, 24 → 6, 18 → 5, ...
        Assert.Equal([8, 8, 6, 5, 4, 3, 2, 1, 1, 1, 1], sizes);
        Assert.Equal(40, sizes.Sum());
    }

    [Fact]
    public void TakeBatch_ASuspectTravelsAlone()
    {
        var queue = Queue(Job(1, 10));
        bool Suspect(RunChunk chunk) => chunk.ChunkIndex == 2;
        Assert.Equal([0, 1], queue.TakeBatch(1, Suspect).Select(chunk => chunk.ChunkIndex));
        Assert.Equal([2], queue.TakeBatch(1, Suspect).Select(chunk => chunk.ChunkIndex));
        Assert.Equal([3, 4, 5, 6], queue.TakeBatch(1, Suspect).Select(chunk => chunk.ChunkIndex));
    }

    [Fact]
    public void TakeBatch_StaysWithinTheWireBound_ButAChunkAloneMayExceedIt()
    {
        var queue = new WorkQueue(batchDivisor: 1, maxBatch: 8, maxBatchBytes: 100);
        foreach (var bytes in new long[] { 40, 40, 40, 500, 10 })
            queue.Enqueue(Of(1, queue.Count, bytes));
        Assert.Equal(2, queue.TakeBatch(1, _ => false).Length); // 80; a third would make 120
        Assert.Equal(40, queue.TakeBatch(1, _ => false).Single().Work.WireBytes); // with the next, 540
        Assert.Equal(500, queue.TakeBatch(1, _ => false).Single().Work.WireBytes);
        Assert.Equal(10, queue.TakeBatch(1, _ => false).Single().Work.WireBytes);
    }

    [Fact]
    public void Requeue_PutsChunksBackAtTheFrontInTheirOrder()
    {
        var queue = Queue(Of(1, 5), Of(1, 6));
        queue.Requeue([Of(1, 2), Of(1, 3)]);
        Assert.Equal([2, 3, 5, 6], queue.Pending.Select(chunk => chunk.ChunkIndex));
    }

    [Fact]
    public void Drop_RemovesOnlyThatJobsChunksAndReturnsThem()
    {
        var queue = Queue(Of(1, 0), Of(2, 0), Of(1, 1), Of(2, 1));
        Assert.Equal([(1L, 0L), (1L, 1L)], queue.Drop(1).Select(Key));
        Assert.Equal([(2L, 0L), (2L, 1L)], queue.Pending.Select(Key));
        Assert.Empty(queue.Drop(3));
    }

    [Fact]
    public void DispatchTo_GivesIdleWorkersWorkAndBusyOnesMoreOnlyWhileWorkIsPlenty()
    {
        var queue = Queue(Job(1, 10));
        var ledger = new LossLedger<string>(maxLosses: 2, maxBatchesPerWorker: 2);
        ledger.Add("a");
        ledger.Add("b");
        var sent = new List<(string Worker, int Chunks)>();
        queue.DispatchTo(ledger, (worker, batch) => sent.Add((worker, batch.Chunks.Length)));
        // 10 pending, 2 workers, divisor 2: a batch is a quarter of what is pending, rounded up.
        // a (idle) gets 3 of 10; b (fewer chunks) 2 of 7; b again (fewer chunks, under its bound
        // of 2 batches) 2 of 5, leaving 3: fewer than 2 per worker is no longer plenty, and no
        // worker is idle, so the rest waits for the first report.
        Assert.Equal([("a", 3), ("b", 2), ("b", 2)], sent);
        Assert.Equal(3, queue.Count);
        Assert.True(ledger.Complete("a", 1, []));
        queue.DispatchTo(ledger, (worker, batch) => sent.Add((worker, batch.Chunks.Length)));
        Assert.Equal(("a", 1), sent[^1]); // idle again: 1 of 3, and the last 2 wait for more room
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void DispatchTo_TwoChunksPerWorkerWaiting_IsStillPlenty()
    {
        var queue = new WorkQueue(batchDivisor: 1, maxBatch: 1);
        foreach (var chunk in Job(1, 3))
            queue.Enqueue(chunk);
        var ledger = new LossLedger<string>(maxLosses: 2, maxBatchesPerWorker: 2);
        ledger.Add("a");
        var sent = 0;
        queue.DispatchTo(ledger, (_, _) => sent++);
        // The idle worker takes one; with 2 left for 1 worker (2 per worker: plenty) it takes a
        // second batch, up to its bound; the last chunk waits.
        Assert.Equal(2, sent);
        Assert.Equal(1, queue.Count);
    }
}
