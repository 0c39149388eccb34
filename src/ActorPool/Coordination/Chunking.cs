namespace ActorPool.Coordination;

/// <summary>How eager jobs (Map, StarMap) are cut into chunks.</summary>
internal static class Chunking
{
    /// <summary>CPython's default for map: ceil(n / (4 × workers)), so each worker gets about four chunks.</summary>
    public static int DefaultChunkSize(int itemCount, int workers) =>
        Math.Max(1, (int)((itemCount + 4L * workers - 1) / (4L * workers)));

    /// <summary>Cuts <paramref name="items"/> into views of <paramref name="chunkSize"/> items (the last may be shorter), in order.</summary>
    public static IEnumerable<ArraySegment<T>> Split<T>(ArraySegment<T> items, int chunkSize)
    {
        // long arithmetic: a chunk size near int.MaxValue must mean "one chunk", not an overflow.
        for (var start = 0L; start < items.Count; start += chunkSize)
            yield return items.Slice((int)start, (int)Math.Min(chunkSize, items.Count - start));
    }
}
