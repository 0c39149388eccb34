using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Tests.Routing;

/// <summary>Chunks for the routing's pure parts: nothing runs them, they only have a place in line.</summary>
internal static class Chunks
{
    public static RunChunk Of(long job, long index, long wireBytes = 0) =>
        new(job, index, index, new PlaceholderWork(wireBytes), ActorRefs.Nobody);

    /// <summary>A chunk of a job with <see cref="JobOptions.Speculative"/>.</summary>
    public static RunChunk Speculative(long job, long index) =>
        new(job, index, index, new PlaceholderWork(0) { Rules = new TaskRules(0, TimeSpan.Zero, null, Speculative: true) }, ActorRefs.Nobody);

    public static RunChunk[] Job(long job, int count) =>
        Enumerable.Range(0, count).Select(index => Of(job, index)).ToArray();

    public static (long Job, long Index) Key(RunChunk chunk) => (chunk.JobId, chunk.ChunkIndex);

    private sealed class PlaceholderWork(long wireBytes) : ChunkWork
    {
        public override int Count => 1;

        public override long WireBytes => wireBytes;

        public override object Execute(long jobId, long chunkIndex, long offset) => throw new NotSupportedException();

        public override object FailAll(long jobId, long chunkIndex, long offset, Exception error) => throw new NotSupportedException();
    }
}
