namespace ActorPool.Coordination;

/// <summary>How eager jobs (Map, StarMap) are cut into chunks.</summary>
internal static class Chunking
{
    /// <summary>Chunks per worker that the default chunk size aims at.</summary>
    public const int DefaultChunksPerWorker = 32;

    /// <summary>Chunks per worker of CPython's default, kept where a chunk counts: under MaxTasksPerChild.</summary>
    public const int CPythonChunksPerWorker = 4;

    /// <summary>
    /// The default chunk size for Map: ceil(n / (32 × workers)), so each worker gets about 32 chunks;
    /// CPython's ceil(n / (4 × workers)) when <paramref name="maxTasksPerChild"/> is set.
    /// </summary>
    /// <remarks>
    /// Finer than CPython's ceil(n / (4 × workers)), on purpose. Four chunks each split the work
    /// once, up front, and two workers that run at different speeds (another process on one core,
    /// a slower node) end apart by up to a whole chunk, a quarter of a worker's share: measured
    /// here, 40 to 240 ms of a 1.2 s CPU-bound Map with one core idle. Workers pull work, and the
    /// router already cuts what is pending into batches that shrink as it drains (guided
    /// self-scheduling), so small chunks cost little: a batch is one message however many chunks it
    /// holds. With 32 chunks each, the workers end within about one small chunk of each other.
    /// <para>
    /// MaxTasksPerChild counts chunks (CPython's tasks), and a user sets it against CPython's
    /// chunking: eight times the chunks would replace each worker eight times as often (with
    /// LocalProcesses, a new process each time). So with it set the default stays CPython's.
    /// </para>
    /// </remarks>
    public static int DefaultChunkSize(int itemCount, int workers, int? maxTasksPerChild)
    {
        var chunks = (long)(maxTasksPerChild is null ? DefaultChunksPerWorker : CPythonChunksPerWorker) * workers;
        return Math.Max(1, (int)((itemCount + chunks - 1) / chunks));
    }

    /// <summary>Cuts <paramref name="items"/> into views of <paramref name="chunkSize"/> items (the last may be shorter), in order.</summary>
    public static IEnumerable<ArraySegment<T>> Split<T>(ArraySegment<T> items, int chunkSize)
    {
        // long arithmetic: a chunk size near int.MaxValue must mean "one chunk", not an overflow.
        for (var start = 0L; start < items.Count; start += chunkSize)
            yield return items.Slice((int)start, (int)Math.Min(chunkSize, items.Count - start));
    }
}
