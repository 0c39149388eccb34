using Akka.Actor;
using Akka.Event;

namespace ActorPool.Protocol;

/// <summary>A message that may cross to another process: serialized by <c>ActorPool.Remote.WireSerializer</c>, never by Akka's default JSON.</summary>
internal interface IWireMessage;

/// <summary>A message whose size on the wire is known without serializing it.</summary>
internal interface IWireSized
{
    /// <summary>About how many bytes it takes on the wire.</summary>
    long WireBytes { get; }
}

/// <summary>What any chunk's result is, whatever its value type.</summary>
internal interface IChunkResult
{
    Array Values { get; }

    ItemFailure[]? Failures { get; }

    /// <summary>How long the chunk ran on its worker; null when it was not timed (<c>ChunkWork.MeasureRunTime</c>) or did not run (it failed as a whole, unsent or undecodable).</summary>
    TimeSpan? RunTime { get; }

    /// <summary>How many times its items were run again after a failure (<see cref="JobOptions.Retries"/>), all items together.</summary>
    int Retries { get; }
}

// Every message the pool's actors exchange. All are immutable: arrays inside them (or the part of an
// array a segment in them covers) are never written after the message is built, so a message could
// be serialized and sent to another node as it is. One exception, in process only: the work of a
// Map's chunk holds that chunk's part of the job's result array, which running it fills
// (MapJob.Create). Work encoded for another process carries no such part.
// Replies go to an explicit ReplyTo, never to an implicit Sender, so routers and wires can sit
// between the parties.

/// <summary>
/// One chunk of a job, for a worker: run <see cref="Work"/>, send the result to <see cref="ReplyTo"/>.
/// <see cref="Offset"/> is the input position of the chunk's first item.
/// </summary>
internal sealed record RunChunk(long JobId, long ChunkIndex, long Offset, ChunkWork Work, IActorRef ReplyTo);

/// <summary>
/// Several chunks for one worker, sent by the work-pulling router; answered with a <see cref="BatchDone"/>
/// carrying the same id. <see cref="Terms"/> are the pool's terms for workers of other processes, which
/// serve any pool that sends them work; null for none (and always in process, where workers have the pool's own).
/// </summary>
internal sealed record RunBatch(long BatchId, RunChunk[] Chunks, WorkerTerms? Terms = null) : IWireMessage
{
    /// <summary>
    /// The bytes it was read from, for a batch received from another process (what a node counts
    /// against <c>actorpool.remote.node-queue.max-bytes</c>: decoded, they take a small multiple of
    /// that at most); 0 for a batch made in this process.
    /// </summary>
    public long FrameBytes { get; init; }
}

/// <summary>
/// What a pool asks of each worker that runs its tasks: its <see cref="PoolOptions.Initializer"/>,
/// run before the pool's first task there and again in any worker that replaces one, and its
/// <see cref="PoolOptions.MaxTasksPerChild"/>, the tasks a worker runs for it before it is replaced.
/// </summary>
internal sealed record WorkerTerms(Action? Initializer, int? MaxTasks);

/// <summary>
/// Worker of another process to the work-pulling router, after its <see cref="BatchDone"/>: it is
/// being replaced (its process exits), so what the router holds for it goes to other workers,
/// unblamed, and it gets nothing more.
/// </summary>
internal sealed class WorkerRetiring : IWireMessage
{
    public static WorkerRetiring Instance { get; } = new();
    private WorkerRetiring() { }
}

/// <summary>
/// Worker to work-pulling router: batch <see cref="BatchId"/> is finished. <see cref="Returned"/>
/// holds the chunks it did not run (it was replaced mid-batch); the router queues them again,
/// first in line. The chunks from <see cref="Kept"/> on were taken back before they started (a
/// <see cref="TakeBack"/>), which the router may not have heard yet: it queues them again if it
/// still holds them. The id lets the router ignore the answer to a batch it has already given up
/// on (its worker was lost, then came back).
/// </summary>
internal sealed record BatchDone(long BatchId, RunChunk[] Returned, int Kept = int.MaxValue) : IWireMessage;

/// <summary>
/// Node to work-pulling router: batch <see cref="BatchId"/> was refused, neither run nor queued,
/// because the node already holds as much work waiting as it takes from all its peers together
/// (<c>actorpool.remote.node-queue</c>). Sent in the name of the worker it was for, and possibly
/// before that worker reports batches sent earlier: none of the batch ran, so the router queues it
/// again, first in line, as if it had never been sent.
/// </summary>
internal sealed record BatchRefused(long BatchId) : IWireMessage;

/// <summary>
/// Work-pulling router to the host actor of a node whose worker <see cref="Worker"/> holds more
/// than it can start while another worker idles: take back what has not started of batches
/// <see cref="BatchIds"/>. Always answered with a <see cref="TakenBack"/>, naming what was taken, if anything.
/// </summary>
internal sealed record TakeBack(IActorRef Worker, long[] BatchIds) : IWireMessage;

/// <summary>
/// Node host actor to work-pulling router: of batch <c>BatchIds[i]</c> of <see cref="Worker"/>, the
/// chunks from <c>Kept[i]</c> on will not run there; whatever else it holds has started.
/// </summary>
internal sealed record TakenBack(IActorRef Worker, long[] BatchIds, int[] Kept) : IWireMessage;

/// <summary>
/// The outcome of one chunk: a value per item, and the items that threw (<see cref="Failures"/>,
/// null when every item succeeded, otherwise sorted by index).
/// </summary>
internal sealed record ChunkResult<TResult>(long JobId, long ChunkIndex, long Offset, ArraySegment<TResult> Values, ItemFailure[]? Failures)
    : IChunkResult, IDeadLetterSuppression // results that reach a job already finished (failed fast, cancelled) are expected
{
    Array IChunkResult.Values => Values.Offset == 0 && Values.Count == Values.Array!.Length ? Values.Array : Values.ToArray();

    /// <inheritdoc />
    public TimeSpan? RunTime { get; init; }

    /// <inheritdoc />
    public int Retries { get; init; }

    /// <summary>The exception of the chunk's first failed item; null when every item succeeded.</summary>
    public Exception? FirstError => Failures is { Length: > 0 } failures ? failures[0].Error : null;
}

/// <summary>
/// Worker to a reply address: the results (<c>ChunkResult</c>s, or their wire form) of chunks that
/// ran one after the other for that address, in the order they ran, as one message. A receiver
/// handles each as if it had come alone. See <c>ActorPool.Workers.ReplyBuffer</c>.
/// </summary>
internal sealed record ChunkResults(object[] Results) : IWireMessage, IDeadLetterSuppression;

/// <summary>
/// Worker in another process to the work-pulling router that sent it work: results for reply
/// addresses in the router's process, in the order they ran, as one message across the wire.
/// Each ApplyAsync is a job with a reply address of its own, so grouping per address
/// (<see cref="ChunkResults"/>) cannot group them; the router hands each result to its address.
/// <see cref="Done"/> is the end of the batch whose last results these are, when the worker sends
/// it right after them: one message instead of two, for a task run alone (a round trip) most of
/// all. The router takes it after the results are handed on, as a <see cref="BatchDone"/> from the sender.
/// </summary>
internal sealed record RoutedResults(IActorRef[] ReplyTo, object[] Results, BatchDone? Done = null) : IWireMessage, IDeadLetterSuppression
{
    /// <summary>
    /// Hands each result to its reply address, consecutive ones for one address as one
    /// <see cref="ChunkResults"/>. A reply address may be a job's reply ref, whose handler runs on
    /// this thread: whatever one throws is given to <paramref name="onError"/>, and the rest are
    /// still delivered.
    /// </summary>
    public void Deliver(Action<IActorRef, Exception> onError)
    {
        for (var start = 0; start < Results.Length;)
        {
            var replyTo = ReplyTo[start];
            var end = start + 1;
            while (end < Results.Length && ReplyTo[end].Equals(replyTo))
                end++;
            try
            {
                replyTo.Tell(end - start == 1 ? Results[start] : new ChunkResults(Results[start..end]), ActorRefs.NoSender);
            }
            catch (Exception ex)
            {
                onError(replyTo, ex);
            }
            start = end;
        }
    }
}

/// <summary>An item that threw: its index within the chunk and the exception, with the worker's stack.</summary>
internal sealed record ItemFailure(int Index, Exception Error)
{
    /// <summary>Every item of a chunk of <paramref name="count"/> failed with <paramref name="error"/>.</summary>
    public static ItemFailure[] Every(int count, Exception error)
    {
        var failures = new ItemFailure[count];
        for (var i = 0; i < failures.Length; i++)
            failures[i] = new ItemFailure(i, error);
        return failures;
    }

    /// <summary>The items from <paramref name="first"/> on were not run: their job was cancelled. Adds them to <paramref name="failures"/>.</summary>
    public static List<ItemFailure> Unrun(List<ItemFailure>? failures, int first, int count)
    {
        failures ??= new List<ItemFailure>();
        var cancelled = new OperationCanceledException("The job was cancelled before this item ran.");
        for (var i = first; i < count; i++)
            failures.Add(new ItemFailure(i, cancelled));
        return failures;
    }
}

/// <summary>Feeder to streaming coordinator: the input ended after <see cref="ChunkCount"/> chunks, <see cref="ItemCount"/> items.</summary>
internal sealed record InputEnded(long ChunkCount, long ItemCount);

/// <summary>Feeder to streaming coordinator: reading the input threw at <see cref="Position"/>; that is the job's last chunk.</summary>
internal sealed record InputFailed(long ChunkIndex, long Position, Exception Error);

/// <summary>
/// To the work-pulling router: forget the queued chunks of a job that has ended early, and tell
/// the nodes running its tasks to cancel them (<see cref="CancelTasks"/>).
/// </summary>
internal sealed record DropJob(long JobId);

/// <summary>
/// To a pool's router: job <see cref="JobId"/> ended before its work did, its result failed or
/// abandoned already (from the pool: the caller cancelled it; from its coordinator: it failed fast,
/// or its consumer left). The router stops its coordinator, drops its queued work and cancels its
/// running tasks, in this process and on nodes: whatever they would return has nowhere to go.
/// </summary>
internal sealed record JobCancelled(long JobId);

/// <summary>
/// Work-pulling router to a node's host actor: cancel the tasks of job <see cref="JobId"/> of the
/// sender's pool that run or wait there, or of every job of that pool when null (it is stopping);
/// with <see cref="ChunkIndex"/>, only that chunk's (a copy of it won elsewhere).
/// </summary>
internal sealed record CancelTasks(long? JobId, long? ChunkIndex = null) : IWireMessage;

/// <summary>Streaming coordinator to itself, when its result sink stops (the consumer left): drop the job's pending work and stop.</summary>
internal sealed class CancelJob
{
    public static CancelJob Instance { get; } = new();
    private CancelJob() { }
}

/// <summary>
/// Asks for workers: the pool's actor (<c>PoolRouterActor</c>) answers with its <c>WorkerGroup</c>;
/// a node's host actor answers with <see cref="NodeWorkers"/>.
/// </summary>
internal sealed class GetWorkers : IWireMessage
{
    public static GetWorkers Instance { get; } = new();
    private GetWorkers() { }
}

/// <summary>
/// A node's answer to <see cref="GetWorkers"/>: the worker actors it hosts, and the port of its end
/// of the data plane on its host (<see cref="PlanePort"/>, 0 for none), on which a pool's router
/// connects to it before it sends it work.
/// </summary>
internal sealed record NodeWorkers(IActorRef[] Workers, int PlanePort = 0) : IWireMessage;

/// <summary>
/// To a work-pulling router: its link to the node at <see cref="Node"/> (for its
/// <see cref="Workers"/>) was opened, or could not be (<see cref="Link"/> null: the node is
/// reached by remoting alone). Either way, the node's workers can now be sent work.
/// </summary>
internal sealed record NodeLinkOpened(Address Node, NodeWorkers Workers, INodeLink? Link);

/// <summary>
/// To a work-pulling router: its link <see cref="Link"/> to the node at <see cref="Node"/> ended
/// (<see cref="Reason"/>). What was in flight on it is counted lost with the node's workers, as
/// with a node that died; the node is asked for its workers again.
/// </summary>
internal sealed record NodeLinkLost(Address Node, INodeLink Link, string Reason);

/// <summary>To a work-pulling router: which nodes does it reach on a link of the data plane? Answered with <see cref="LinkedNodes"/>. For diagnostics and tests.</summary>
internal sealed class GetLinkedNodes
{
    public static GetLinkedNodes Instance { get; } = new();
    private GetLinkedNodes() { }
}

/// <summary>A work-pulling router's answer to <see cref="GetLinkedNodes"/>: the nodes it has a link to now.</summary>
internal sealed record LinkedNodes(Address[] Nodes);

/// <summary>
/// What a pool reads of a <see cref="NodeWorkers"/> from a node of another ActorPool version
/// (<see cref="Version"/>, as it named it; <see cref="Ours"/> is this process's): its workers are
/// not used, since their messages might not be read right. Made by the wire serializer, never sent.
/// </summary>
internal sealed record NodeOfAnotherVersion(string Version, string Ours);

/// <summary>To the work-pulling router: the node at <see cref="Address"/> is gone (its process exited), without waiting for failure detection.</summary>
internal sealed record NodeLost(Address Address, string Reason);

/// <summary>To the work-pulling router: worker processes keep dying before they are ready, and no more are started; without a worker, work fails at once.</summary>
internal sealed record WorkersCannotStart(string Reason);
