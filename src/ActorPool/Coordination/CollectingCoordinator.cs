using ActorPool.Journal;
using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Coordination;

/// <summary>
/// Coordinates one Map/StarMap job: puts each chunk's results at their input positions and
/// replies the whole list once every chunk has arrived, or fails the job at the first failed item
/// (CPython waits for every chunk before reporting an error; there is no reason to).
/// </summary>
internal sealed class CollectingCoordinator<TResult> : UntypedActor
{
    private readonly long _jobId;
    private readonly int _chunkCount;
    private readonly TResult[] _results;
    private readonly IActorRef _replyTo;
    private readonly JobTally _tally;
    private readonly JournaledJob? _journal;
    private readonly ChunkTracker _arrived = new();
    private bool _finished; // replied: results still in a message being handled are ignored

    // results: the job's result array, one element per input item. Chunks run in process have
    // written their parts of it already when they report.
    public CollectingCoordinator(long jobId, int chunkCount, TResult[] results, IActorRef replyTo, JobTally tally, JournaledJob? journal)
    {
        _tally = tally;
        _journal = journal;
        _jobId = jobId;
        _chunkCount = chunkCount;
        _results = results;
        _replyTo = replyTo;
    }

    public static Props Props(long jobId, int chunkCount, TResult[] results, IActorRef replyTo, JobTally tally, JournaledJob? journal) =>
        Akka.Actor.Props.Create(() => new CollectingCoordinator<TResult>(jobId, chunkCount, results, replyTo, tally, journal));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ChunkResult<TResult> result:
                Accept(result);
                break;
            case ChunkResults results:
                foreach (var one in results.Results)
                {
                    if (one is ChunkResult<TResult> result)
                        Accept(result);
                    else
                        Unhandled(one);
                }
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Accept(ChunkResult<TResult> result)
    {
        if (_finished || !_arrived.TryMark(result.ChunkIndex))
            return;
        if (result.FirstError is { } error)
        {
            _tally.Chunk(result);
            _finished = true;
            _replyTo.Tell(new Status.Failure(error));
            // Its result has failed: its router (this actor's parent) drops its queued work and
            // cancels its running tasks, here and on nodes, as for a cancelled job.
            Context.Parent.Tell(new JobCancelled(_jobId));
            Context.Stop(Self);
            return;
        }
        if (result.Values.Array != _results)
            result.Values.CopyTo(_results, checked((int)result.Offset)); // from another process: an array of its own
        _journal?.Record(_results, (int)result.Offset, result.Values.Count); // a durable job's chunk, once its results are in place
        _tally.Chunk(result); // after the record: a report never counts a chunk the journal has not been given
        if (_arrived.Count == _chunkCount)
        {
            _finished = true;
            _replyTo.Tell(_results);
            Context.Stop(Self);
        }
    }
}
