using ActorPool.Protocol;
using ActorPool.Routing;
using Akka.Actor;

namespace ActorPool.Coordination;

/// <summary>
/// An eager Map/StarMap job, already chunked: the router creates its coordinator and sends every
/// chunk to the workers with that coordinator as the reply address. The final list (or a
/// <see cref="Status.Failure"/>) goes to <see cref="ReplyTo"/>.
/// </summary>
internal sealed record MapJob<TResult>(long JobId, ChunkWork[] Chunks, TResult[] Results, IActorRef ReplyTo, ProgressTracker? Progress) : IJobStart
{
    /// <summary>
    /// Cuts <paramref name="items"/> into chunks of <paramref name="chunkSize"/> (null: CPython's
    /// default for <paramref name="processes"/> workers), each prepared for the group's workers.
    /// The one way both <c>Pool.MapAsync</c> and <c>MapRequest</c> build a job.
    /// </summary>
    /// <remarks>
    /// In process, each chunk writes its results straight into its own part of the job's result
    /// array: the parts are disjoint, so no two workers touch one element, and the coordinator
    /// reads the array only once every chunk has reported, through the mailbox that orders those
    /// writes before its read. Chunks run in other processes come back as arrays of their own,
    /// which the coordinator copies in.
    /// </remarks>
    public static MapJob<TResult> Create<T>(long jobId, T[] items, int? chunkSize, int processes,
        Func<ArraySegment<T>, ChunkWork<TResult>> makeWork, WorkerGroup group, IActorRef replyTo, ProgressTracker? progress = null)
    {
        // Not zeroed (for value types): every element is written before the list is handed out,
        // and a job with a failed item hands out no list.
        var results = GC.AllocateUninitializedArray<TResult>(items.Length);
        var chunks = Chunking.Split(items, chunkSize ?? Chunking.DefaultChunkSize(items.Length, processes),
            chunk => group.Prepare(makeWork(chunk).WritingTo(new ArraySegment<TResult>(results, chunk.Offset, chunk.Count))));
        return new(jobId, chunks, results, replyTo, progress);
    }

    public void Abort(Exception reason) => ReplyTo.Tell(new Status.Failure(reason));

    public void Start(IActorContext context, WorkerGroup group)
    {
        var coordinator = context.ActorOf(
            CollectingCoordinator<TResult>.Props(JobId, Chunks.Length, Results, ReplyTo, group.DropTarget, Progress),
            IJobStart.CoordinatorName(JobId));
        var offset = 0L;
        for (var i = 0; i < Chunks.Length; i++)
        {
            group.Dispatch(new RunChunk(JobId, i, offset, Chunks[i], coordinator));
            offset += Chunks[i].Count;
        }
    }
}
