using ActorPool.Coordination;
using ActorPool.Protocol;
using ActorPool.Routing;
using CsCheck;
using static ActorPool.Tests.Routing.Chunks;

namespace ActorPool.Tests.Coordination;

/// <summary>
/// The default chunk size, and what it is for: workers that run at different speeds end together.
/// A Map is played against the work-pulling router's pure parts (the work queue and the ledger,
/// with the defaults of reference.conf) in simulated time: each worker runs the batches it was
/// sent in order, one item taking it its own number of time units, and reports each batch as it
/// ends. The model leaves out what small chunks cost (messages take no time here, so smaller is
/// always better in it) and the router's take-back of batches not yet started when a worker
/// idles (which only helps), so it checks the tail, not the right size.
/// </summary>
public sealed class ChunkingTests
{
    // reference.conf: work-pulling.batch-divisor, max-batch, messages-in-flight-per-worker.
    private const int BatchDivisor = 4, MaxBatch = 64, BatchesPerWorker = 2;

    [Theory]
    [InlineData(400, 2, 7)] // 400 / 64, rounded up
    [InlineData(64, 2, 1)]
    [InlineData(65, 2, 2)]
    [InlineData(3, 8, 1)] // never below one item
    [InlineData(int.MaxValue, 1, 67_108_864)] // no overflow
    public void DefaultChunkSize_AboutThirtyTwoChunksPerWorker(int items, int workers, int expected) =>
        Assert.Equal(expected, Chunking.DefaultChunkSize(items, workers, Chunking.DefaultChunksPerWorker, itemsAtOnce: 1));

    [Theory]
    [InlineData(PoolRouting.WorkPulling, null, 32)]
    [InlineData(PoolRouting.WorkPulling, 3, 4)] // MaxTasksPerChild counts chunks: CPython's
    [InlineData(PoolRouting.RoundRobin, null, 4)] // every chunk sent at once: finer buys nothing
    [InlineData(PoolRouting.SmallestMailbox, null, 4)]
    public void ChunksPerWorker_ThirtyTwoOnlyUnderWorkPullingWithoutMaxTasksPerChild(PoolRouting routing, int? maxTasksPerChild, int expected) =>
        Assert.Equal(expected, Chunking.ChunksPerWorker(routing, maxTasksPerChild));

    [Theory]
    [InlineData(400, 2, 50)] // CPython's 400 / 8
    [InlineData(9, 2, 2)]
    [InlineData(int.MaxValue, 1, 536_870_912)]
    public void DefaultChunkSize_FourChunksPerWorker_IsCPythons(int items, int workers, int expected) =>
        Assert.Equal(expected, Chunking.DefaultChunkSize(items, workers, Chunking.CPythonChunksPerWorker, itemsAtOnce: 1));

    [Theory]
    [InlineData(200, 2, 16)] // 200 / 64 would be 4: a worker would await 4 items at once, not 16
    [InlineData(16, 2, 8)] // no more than each worker's share
    [InlineData(1, 8, 1)]
    [InlineData(100_000, 2, 1_563)] // chunks larger than that anyway
    public void DefaultChunkSize_AsyncFunction_AtLeastTheItemsAWorkerAwaitsAtOnce(int items, int workers, int expected) =>
        Assert.Equal(expected, Chunking.DefaultChunkSize(items, workers, Chunking.DefaultChunksPerWorker, itemsAtOnce: 16));

    [Fact]
    public void DefaultChunks_OneWorkerAQuarterSlower_EndWithinThreePercentOfTheIdeal()
    {
        // With CPython's default, four chunks a worker, the last chunk the slower worker starts is a
        // quarter of its share, and the faster one waits for it at the end.
        double[] speeds = [1.0, 1.25];
        Assert.InRange(Makespan(400, ChunkSizeLikeCPython(400, 2), speeds) / Ideal(400, speeds), 1.10, 2.0);
        Assert.InRange(Makespan(400, Chunking.DefaultChunkSize(400, 2, Chunking.DefaultChunksPerWorker, itemsAtOnce: 1), speeds) / Ideal(400, speeds), 1.0, 1.03);
    }

    [Fact]
    public void DefaultChunks_AnyItemsWorkersAndSpeeds_EndWithinThree32ndsOfAShareOfTheIdeal()
    {
        // Workers of speeds up to 2x apart, 1 to 5,000 items: the last worker ends at most three
        // 32nds of a worker's share (whole items, on the slowest worker) after the ideal, total work
        // over total speed. Not one: while work is plenty a worker holds a second batch behind the
        // one it runs, and the slowest may start that one last, just after the others took the
        // rest (ties between workers of equal speed brought that to about two). CPython's default,
        // four chunks a worker, ends up to about six such 32nds after the ideal, and fails this; a
        // default of eight chunks a worker (up to about three) would not.
        Gen.Select(Gen.Int[1, 5_000], Gen.Double[1.0, 2.0].Array[1, 8]).Sample((items, speeds) =>
        {
            var over = Makespan(items, Chunking.DefaultChunkSize(items, speeds.Length, Chunking.DefaultChunksPerWorker, itemsAtOnce: 1), speeds) - Ideal(items, speeds);
            var shareOver32 = Math.Ceiling(items / (32.0 * speeds.Length));
            return over <= 3 * shareOver32 * speeds.Max();
        }, iter: 500);
    }

    private static int ChunkSizeLikeCPython(int items, int workers) =>
        Chunking.DefaultChunkSize(items, workers, Chunking.CPythonChunksPerWorker, itemsAtOnce: 1);

    /// <summary>Total work over total speed: every worker busy to the same end.</summary>
    private static double Ideal(int items, double[] secondsPerItem) => items / secondsPerItem.Sum(seconds => 1 / seconds);

    /// <summary>When the last worker ends a Map of <paramref name="items"/> cut into chunks of <paramref name="chunkSize"/>.</summary>
    private static double Makespan(int items, int chunkSize, double[] secondsPerItem)
    {
        var queue = new WorkQueue(BatchDivisor, MaxBatch);
        var ledger = new LossLedger<int>(maxLosses: 2, BatchesPerWorker);
        var sizes = new Dictionary<long, int>();
        foreach (var cut in Chunking.Split(new ArraySegment<byte>(new byte[items]), chunkSize))
        {
            var chunk = Of(1, sizes.Count);
            sizes[chunk.ChunkIndex] = cut.Count;
            queue.Enqueue(chunk);
        }
        var mailboxes = secondsPerItem.Select(_ => new Queue<RunBatch>()).ToArray();
        var ends = new PriorityQueue<int, double>(); // a worker, when its first batch ends
        var now = 0.0;
        void Start(int worker) => ends.Enqueue(worker, now + mailboxes[worker].Peek().Chunks.Sum(chunk => sizes[chunk.ChunkIndex]) * secondsPerItem[worker]);
        void Send(int worker, RunBatch batch)
        {
            mailboxes[worker].Enqueue(batch);
            if (mailboxes[worker].Count == 1)
                Start(worker);
        }
        for (var worker = 0; worker < secondsPerItem.Length; worker++)
            ledger.Add(worker);
        queue.DispatchTo(ledger, Send);
        var ran = 0;
        while (ends.TryDequeue(out var worker, out var end))
        {
            now = end;
            var done = mailboxes[worker].Dequeue();
            ran += done.Chunks.Sum(chunk => sizes[chunk.ChunkIndex]);
            Assert.True(ledger.Complete(worker, done.BatchId, []));
            if (mailboxes[worker].Count > 0)
                Start(worker);
            queue.DispatchTo(ledger, Send);
        }
        Assert.Equal(items, ran);
        return now;
    }
}
