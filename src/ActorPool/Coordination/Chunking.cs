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
    /// small chunk of each other. Akka's round-robin and smallest-mailbox routers send every chunk
    /// at once, so each worker's share is fixed whatever the chunk size, and finer chunks would only
    /// add messages. MaxTasksPerChild counts chunks (CPython's tasks), and a limit chosen for
    /// CPython would replace workers (with LocalProcesses, processes) eight times as often.
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

    /// <summary>Cuts <paramref name="items"/> into views of <paramref name="chunkSize"/> items (the last may be shorter), in order.</summary>
    public static IEnumerable<ArraySegment<T>> Split<T>(ArraySegment<T> items, int chunkSize)
    {
        // long arithmetic: a chunk size near int.MaxValue must mean "one chunk", not an overflow.
        for (var start = 0L; start < items.Count; start += chunkSize)
            yield return items.Slice((int)start, (int)Math.Min(chunkSize, items.Count - start));
    }
}
