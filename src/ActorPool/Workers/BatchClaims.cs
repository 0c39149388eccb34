using System.Diagnostics;
using ActorPool.Protocol;

namespace ActorPool.Workers;

/// <summary>
/// Which chunks of the batches one pool's router sent to the workers of this process have started,
/// so that the router can take back those that have not when another worker is idle: nothing then
/// waits behind a long task. A worker claims each chunk before it runs it; a chunk runs where it was
/// sent only if its worker claims it before the router takes it back, and is sent elsewhere only if
/// the router takes it first: never both, never neither. One per pool router per process; thread-safe.
/// </summary>
/// <remarks>
/// A worker runs the batches it is sent in the order of their ids (the router numbers them in
/// the order it sends them, and a mailbox keeps that order), so a batch whose id is above the last
/// one its worker started is still in the mailbox: taking it back leaves a mark its worker finds
/// when it gets there, and it then runs none of it. A batch at or below the last started one, and
/// not the one running, is finished: nothing of it can be taken. (A batch the node refused as it
/// came, <see cref="Protocol.BatchRefused"/>, never gets there: a mark left for it stays, and the
/// router, told of the refusal, finds nothing of it to queue twice.)
/// </remarks>
internal sealed class BatchClaims<TWorker> where TWorker : notnull
{
    private sealed class State
    {
        public long LastStarted = long.MinValue;
        public long Running = long.MinValue; // the batch being run; MinValue between batches
        public int Next; // the running batch's next chunk to claim
        public int End; // the running batch's chunks from here on were taken back
        public Dictionary<long, int>? Taken; // batches not started yet, taken back from the given index
    }

    private readonly Dictionary<TWorker, State> _workers = new(ActorRefComparer.For<TWorker>());

    /// <summary>
    /// <paramref name="worker"/> starts batch <paramref name="batchId"/> of <paramref name="count"/>
    /// chunks; returns how many of them, from the first, it may run (fewer if some were taken back).
    /// </summary>
    public int Start(TWorker worker, long batchId, int count)
    {
        lock (_workers)
        {
            var state = StateOf(worker);
            Debug.Assert(batchId > state.LastStarted, "a worker starts its batches in the order of their ids");
            state.LastStarted = batchId;
            state.Running = batchId;
            state.Next = 0;
            state.End = count;
            if (state.Taken is { } taken && taken.Remove(batchId, out var from))
                state.End = Math.Min(from, count);
            return state.End;
        }
    }

    /// <summary>Whether <paramref name="worker"/> may run chunk <paramref name="index"/> of its running batch: false once it was taken back.</summary>
    public bool TryClaim(TWorker worker, int index)
    {
        lock (_workers)
        {
            var state = _workers[worker];
            if (index >= state.End)
                return false;
            state.Next = index + 1;
            return true;
        }
    }

    /// <summary><paramref name="worker"/> has ended its running batch; returns the index from which its chunks were taken back (its count if none were).</summary>
    public int Finish(TWorker worker)
    {
        lock (_workers)
        {
            var state = _workers[worker];
            state.Running = long.MinValue;
            return state.End;
        }
    }

    /// <summary>
    /// Takes back what has not started of batch <paramref name="batchId"/>, sent to <paramref name="worker"/>:
    /// returns the index from which its chunks will not run there (0 for a batch not started), or
    /// null if nothing could be taken (every chunk started, or the batch is finished).
    /// </summary>
    public int? TakeBack(TWorker worker, long batchId)
    {
        lock (_workers)
        {
            var state = StateOf(worker);
            if (batchId == state.Running)
            {
                if (state.Next >= state.End)
                    return null;
                state.End = state.Next;
                return state.End;
            }
            if (batchId <= state.LastStarted)
                return null;
            (state.Taken ??= new Dictionary<long, int>())[batchId] = 0;
            return 0;
        }
    }

    private State StateOf(TWorker worker)
    {
        if (!_workers.TryGetValue(worker, out var state))
            _workers[worker] = state = new State();
        return state;
    }
}
