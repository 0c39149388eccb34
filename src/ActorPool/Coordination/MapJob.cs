using ActorPool.Configuration;
using ActorPool.Journal;
using ActorPool.Protocol;
using ActorPool.Routing;
using Akka.Actor;

namespace ActorPool.Coordination;

/// <summary>
/// An eager Map/StarMap job, already chunked: the router creates its coordinator and sends every
/// chunk to the workers with that coordinator as the reply address. The final list (or a
/// <see cref="Status.Failure"/>) goes to <see cref="ReplyTo"/>.
/// </summary>
internal sealed record MapJob<TResult>(
    long JobId, ChunkWork[] Chunks, long[] Offsets, TResult[] Results, IActorRef ReplyTo, JobTally Tally, JournaledJob? Journal) : IJobStart
{
    /// <summary>
    /// Cuts <paramref name="items"/> into chunks of <paramref name="chunkSize"/> (null: the default,
    /// <see cref="Chunking.Cut(IReadOnlyList{ValueTuple{int, int}}, int?, PoolSettings, bool)"/>), each prepared for the
    /// group's workers. The one way both <c>Pool.MapAsync</c> and <c>MapRequest</c> build a job.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="items">The job's inputs.</param>
    /// <param name="chunkSize">Items per chunk; null for the default.</param>
    /// <param name="settings">The pool's settings, for the default chunk size.</param>
    /// <param name="awaited">Whether the work awaits the function's tasks, for the default chunk size.</param>
    /// <param name="makeWork">Makes the work of a chunk from its view of the inputs.</param>
    /// <param name="group">The workers.</param>
    /// <param name="replyTo">Where the list of results, or the failure, goes.</param>
    /// <param name="tally">The job's counts, and its trace, which its chunks carry.</param>
    /// <param name="durable">
    /// For a durable job: its journal, the array of its results with those restored from the
    /// journal in place, and the ranges of items left to run (only those are cut into chunks).
    /// </param>
    /// <remarks>
    /// In process, each chunk writes its results straight into its own part of the job's result
    /// array: the parts are disjoint, so no two workers touch one element, and the coordinator
    /// reads the array only once every chunk has reported, through the mailbox that orders those
    /// writes before its read. Chunks run in other processes come back as arrays of their own,
    /// which the coordinator copies in.
    /// </remarks>
    public static MapJob<TResult> Create<T>(long jobId, T[] items, int? chunkSize, PoolSettings settings, bool awaited,
        Func<ArraySegment<T>, ChunkWork<TResult>> makeWork, WorkerGroup group, IActorRef replyTo, JobTally tally,
        (JournaledJob Journal, TResult[] Results, IReadOnlyList<(int Start, int Count)> Left)? durable = null)
    {
        // Not zeroed (for value types): every element is written before the list is handed out,
        // and a job with a failed item hands out no list.
        var results = durable?.Results ?? GC.AllocateUninitializedArray<TResult>(items.Length);
        var left = durable?.Left ?? [(0, items.Length)];
        var cuts = Chunking.Cut(left, chunkSize, settings, awaited).ToArray();
        var chunks = new ChunkWork[cuts.Length];
        var offsets = new long[cuts.Length];
        for (var i = 0; i < cuts.Length; i++)
        {
            // A chunk that may run twice at once (a straggler and its copy) writes an array of its
            // own, which its coordinator copies from the first to arrive: the loser, ending later,
            // must not write over the job's results.
            var chunk = new ArraySegment<T>(items, cuts[i].Start, cuts[i].Count);
            var work = makeWork(chunk);
            tally.Stamp(work);
            chunks[i] = group.Prepare(work.Speculative ? work : work.WritingTo(new ArraySegment<TResult>(results, chunk.Offset, chunk.Count)));
            offsets[i] = chunk.Offset;
        }
        tally.Submitted(left.Sum(range => range.Count));
        return new(jobId, chunks, offsets, results, replyTo, tally, durable?.Journal);
    }

    public void Abort(Exception reason) => ReplyTo.Tell(new Status.Failure(reason));

    public void Start(IActorContext context, WorkerGroup group)
    {
        var coordinator = context.ActorOf(
            CollectingCoordinator<TResult>.Props(JobId, Chunks.Length, Results, ReplyTo, Tally, Journal),
            IJobStart.CoordinatorName(JobId));
        for (var i = 0; i < Chunks.Length; i++)
            group.Dispatch(new RunChunk(JobId, i, Offsets[i], Chunks[i], coordinator));
    }
}
