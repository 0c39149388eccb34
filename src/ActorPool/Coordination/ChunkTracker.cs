namespace ActorPool.Coordination;

/// <summary>
/// Which chunks of a job have arrived, so that a chunk delivered twice (re-dispatched after its
/// worker was lost, and then answered by both) counts once. Memory is bounded by the chunks in
/// flight, not by the job's length: everything below a low watermark is known done.
/// </summary>
internal sealed class ChunkTracker
{
    private readonly HashSet<long> _aboveWatermark = new();
    private long _watermark; // every chunk index below this has arrived

    /// <summary>Chunks that have arrived.</summary>
    public long Count { get; private set; }

    /// <summary>Marks <paramref name="chunkIndex"/> as arrived; false if it had already.</summary>
    public bool TryMark(long chunkIndex)
    {
        if (chunkIndex < _watermark || !_aboveWatermark.Add(chunkIndex))
            return false;
        Count++;
        while (_aboveWatermark.Remove(_watermark))
            _watermark++;
        return true;
    }
}
