using System.Diagnostics;
using ActorPool.Configuration;

namespace ActorPool.Coordination;

/// <summary>How eager jobs (Map, StarMap) are cut into chunks.</summary>
internal static class Chunking
{
    /// <summary>Chunks per worker of the default chunk size under <see cref="PoolRouting.WorkPulling"/>.</summary>
    public const int DefaultChunksPerWorker = 32;

    /// <summary>Chunks per worker of CPython's default chunk size, kept where finer chunks buy nothing or a chunk counts.</summary>
    public const int CPythonChunksPerWorker = 4;

    /// <summary>
    /// The chunk size of a Map of <paramref name="itemCount"/> items given none, on a pool with
    /// <paramref name="settings"/>, for a function the worker awaits or not.
    /// </summary>
    public static int DefaultChunkSize(int itemCount, PoolSettings settings, bool awaited) =>
        DefaultChunkSize(itemCount, settings.Processes, ChunksPerWorker(settings.Routing, settings.MaxTasksPerChild),
            awaited ? settings.AsyncItemsPerWorker : 1);

    /// <summary>
    /// How many chunks each worker gets by default: 32 under <see cref="PoolRouting.WorkPulling"/>,
    /// CPython's 4 under the other routings or with MaxTasksPerChild set.
    /// </summary>
    /// <remarks>
    /// With CPython's four chunks a worker, the last chunk a worker starts is a quarter of its
    /// share, and a worker slower than the other (another process on its core, a slower node) ends
    /// up to that much after it, with the other's core idle: measured here, 40 to 240 ms of a 1.2 s
    /// CPU-bound Map. The work-pulling router hands out chunks as workers free up, cutting what
    /// waits into batches that shrink as it drains (guided self-scheduling), and a batch is one
    /// message however many chunks it holds: with 32 chunks each, workers end within about one
    /// small chunk of each other; workers of one speed, within a fraction of one, as the last
    /// chunks taper (see <see cref="Cut(IReadOnlyList{ValueTuple{int, int}}, int, int)"/>).
    /// Akka's round-robin and smallest-mailbox routers send every chunk at once, so each worker's
    /// share is fixed whatever the chunk size, and finer chunks would only add messages.
    /// MaxTasksPerChild counts chunks (CPython's tasks), and a limit chosen for CPython would
    /// replace workers (with LocalProcesses, processes) eight times as often.
    /// </remarks>
    public static int ChunksPerWorker(PoolRouting routing, int? maxTasksPerChild) =>
        routing == PoolRouting.WorkPulling && maxTasksPerChild is null ? DefaultChunksPerWorker : CPythonChunksPerWorker;

    /// <summary>
    /// ceil(n / (<paramref name="chunksPerWorker"/> × <paramref name="workers"/>)) items, but at
    /// least min(<paramref name="itemsAtOnce"/>, ceil(n / <paramref name="workers"/>)): a worker
    /// awaits the items of one chunk at once (up to <c>actorpool.async-items-per-worker</c>), so
    /// for an async function a chunk's size is the worker's concurrency, and small chunks would
    /// leave it awaiting one item at a time.
    /// </summary>
    public static int DefaultChunkSize(int itemCount, int workers, int chunksPerWorker, int itemsAtOnce)
    {
        var chunks = (long)chunksPerWorker * workers;
        var size = (itemCount + chunks - 1) / chunks;
        var share = (itemCount + (long)workers - 1) / workers;
        return (int)Math.Max(1, Math.Max(size, Math.Min(itemsAtOnce, share)));
    }

    /// <summary>
    /// Cuts the <paramref name="ranges"/> of a Map's items (all of them, or what a durable job has
    /// left) into chunks, in order: of <paramref name="chunkSize"/> items given one; by default, of
    /// <see cref="DefaultChunkSize(int, PoolSettings, bool)"/> items, the last ones tapering (see
    /// <see cref="Cut(IReadOnlyList{ValueTuple{int, int}}, int, int)"/>) where the work-pulling router
    /// hands them out as workers free up: under <see cref="PoolRouting.WorkPulling"/>, without
    /// MaxTasksPerChild (which counts chunks), on more than one worker, and for a function the
    /// worker does not await (an awaited function's chunk is its worker's concurrency).
    /// </summary>
    public static IEnumerable<(int Start, int Count)> Cut(IReadOnlyList<(int Start, int Count)> ranges, int? chunkSize, PoolSettings settings, bool awaited)
    {
        if (chunkSize is { } size)
            return Cut(ranges, size, taperOver: 0);
        var tapers = !awaited && settings.Processes > 1 && ChunksPerWorker(settings.Routing, settings.MaxTasksPerChild) == DefaultChunksPerWorker;
        return Cut(ranges, DefaultChunkSize(ranges.Sum(range => range.Count), settings, awaited), tapers ? settings.Processes : 0);
    }

    /// <summary>
    /// Cuts <paramref name="ranges"/> into chunks of <paramref name="chunkSize"/> items, in order; a
    /// chunk never spans two ranges, so a range's last chunk may be shorter.
    /// </summary>
    /// <param name="ranges">The items to cut: start and count of each, in order.</param>
    /// <param name="chunkSize">Items per chunk (at least 1).</param>
    /// <param name="taperOver">
    /// The workers the chunks spread over, to taper the last chunks; 0 for none. With <c>r</c> items
    /// left to cut over <c>w</c> workers, a chunk is then <c>ceil(r / (2w))</c> items, at most
    /// <paramref name="chunkSize"/> and at least an eighth of it (factoring: each worker's next chunk
    /// is half of its share of what remains). The chunks keep their size until fewer than
    /// <c>2w</c> of them are left to cut, then shrink to an eighth: workers of one speed that pull
    /// chunks as they free up end within a few of these of the ideal (at most four in the model of
    /// the unit tests), where with equal chunks one core could wait up to a whole chunk at the
    /// end. Measured here on a CPU-bound Map of 400 items on two workers (1.55 s), in the same
    /// rounds: the median gap between the workers' ends was 38 and 40 ms in 7-item chunks, 18 and
    /// 14 ms tapered (PLINQ's, 9 and 13 ms), in two probes. It adds about <c>4w</c> chunks to the
    /// about <c>32w</c> of a default cut.
    /// </param>
    public static IEnumerable<(int Start, int Count)> Cut(IReadOnlyList<(int Start, int Count)> ranges, int chunkSize, int taperOver)
    {
        Debug.Assert(chunkSize >= 1 && taperOver >= 0);
        var left = ranges.Sum(range => (long)range.Count);
        var smallest = (chunkSize + 7L) / 8;
        foreach (var (start, count) in ranges)
        {
            // long arithmetic: a chunk size near int.MaxValue must mean "one chunk", not an overflow.
            for (var offset = 0L; offset < count;)
            {
                var size = taperOver == 0 ? chunkSize : Math.Clamp((left + 2L * taperOver - 1) / (2L * taperOver), smallest, chunkSize);
                var cut = (int)Math.Min(size, count - offset);
                yield return ((int)(start + offset), cut);
                offset += cut;
                left -= cut;
            }
        }
    }
}
