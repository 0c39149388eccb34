using ActorPool.Protocol;

namespace ActorPool.Coordination;

/// <summary>How eager jobs (Map, StarMap) are cut into chunks.</summary>
internal static class Chunking
{
    /// <summary>CPython's default for map: ceil(n / (4 × workers)), so each worker gets about four chunks.</summary>
    public static int DefaultChunkSize(int itemCount, int workers) =>
        Math.Max(1, (int)((itemCount + 4L * workers - 1) / (4L * workers)));

    /// <summary>Cuts <paramref name="items"/> into chunks of <paramref name="chunkSize"/> (the last may be shorter), each a view of its part of the array.</summary>
    public static ChunkWork[] Split<T>(T[] items, int chunkSize, Func<ArraySegment<T>, ChunkWork> makeWork)
    {
        // long arithmetic: a chunk size near int.MaxValue must mean "one chunk", not an overflow.
        var chunks = new ChunkWork[(int)(((long)items.Length + chunkSize - 1) / chunkSize)];
        for (var i = 0; i < chunks.Length; i++)
        {
            var start = (int)Math.Min((long)i * chunkSize, items.Length);
            var end = (int)Math.Min((long)start + chunkSize, items.Length);
            chunks[i] = makeWork(new ArraySegment<T>(items, start, end - start));
        }
        return chunks;
    }
}
