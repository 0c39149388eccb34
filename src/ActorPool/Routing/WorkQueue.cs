using System.Diagnostics;
using ActorPool.Protocol;

namespace ActorPool.Routing;

/// <summary>
/// The chunks waiting in a work-pulling router, in the order they go out, and how they are cut
/// into batches: guided self-scheduling, so batches shrink as the queue drains and the last
/// chunks spread over every worker. Pure: no actors, no clocks; the router actor owns one.
/// </summary>
/// <remarks>
/// Chunks handed back (a worker lost, or a batch returned unrun) go to the front: they are the
/// oldest work, and its job's caller is waiting for them.
/// </remarks>
internal sealed class WorkQueue
{
    private readonly int _batchDivisor;
    private readonly int _maxBatch;
    private readonly long _maxBatchBytes;
    private readonly Deque<RunChunk> _pending = new();

    /// <param name="batchDivisor">A batch is at most the pending chunks divided by this times the workers.</param>
    /// <param name="maxBatch">The most chunks in one batch.</param>
    /// <param name="maxBatchBytes">The most wire bytes in one batch (one chunk alone may exceed it).</param>
    public WorkQueue(int batchDivisor, int maxBatch, long maxBatchBytes = ChunkWork.MaxWireBytes)
    {
        _batchDivisor = batchDivisor;
        _maxBatch = maxBatch;
        _maxBatchBytes = maxBatchBytes;
    }

    /// <summary>Chunks waiting.</summary>
    public int Count => _pending.Count;

    /// <summary>The pending chunks, first to go out first.</summary>
    public IEnumerable<RunChunk> Pending => _pending;

    public void Enqueue(RunChunk chunk) => _pending.AddLast(chunk);

    /// <summary>Puts <paramref name="chunks"/> back at the front, in their order.</summary>
    public void Requeue(IReadOnlyCollection<RunChunk> chunks) => _pending.AddFirst(chunks);

    /// <summary>Removes the pending chunks of job <paramref name="jobId"/> and returns them.</summary>
    public IReadOnlyList<RunChunk> Drop(long jobId)
    {
        return _pending.RemoveAll(chunk => chunk.JobId == jobId);
    }

    /// <summary>Removes and returns every pending chunk.</summary>
    public IReadOnlyList<RunChunk> TakeAll()
    {
        var all = _pending.ToList();
        _pending.Clear();
        return all;
    }

    /// <summary>
    /// Hands out batches, each to the worker <paramref name="ledger"/> picks, while one has room and
    /// work is waiting; <paramref name="send"/> delivers each batch (recorded in the ledger first).
    /// </summary>
    public void DispatchTo<TWorker>(LossLedger<TWorker> ledger, Action<TWorker, RunBatch> send) where TWorker : notnull
    {
        while (_pending.Count > 0
               && ledger.TryPick(plenty: _pending.Count >= 2 * ledger.WorkerCount, suspectNext: ledger.IsSuspect(_pending.PeekFirst()), out var worker))
        {
            var chunks = TakeBatch(ledger.WorkerCount, ledger.TravelsAlone);
            send(worker, new RunBatch(ledger.Assign(worker, chunks), chunks));
        }
    }

    /// <summary>
    /// Takes the next batch for one of <paramref name="workers"/> workers: pending / (divisor ×
    /// workers) chunks, at least 1 and at most the maximum, within the byte bound. A chunk for which
    /// <paramref name="travelsAlone"/> holds goes in a batch of its own.
    /// </summary>
    public RunChunk[] TakeBatch(int workers, Func<RunChunk, bool> travelsAlone)
    {
        Debug.Assert(_pending.Count > 0 && workers > 0);
        var divisor = (long)_batchDivisor * workers;
        var size = (int)Math.Clamp((_pending.Count + divisor - 1) / divisor, 1, _maxBatch);
        var batch = new List<RunChunk>(size);
        var bytes = 0L;
        while (batch.Count < size && _pending.Count > 0)
        {
            var next = _pending.PeekFirst();
            var alone = travelsAlone(next);
            if (alone && batch.Count > 0)
                break;
            // A batch for another process must fit in one transport frame.
            bytes += next.Work.WireBytes;
            if (batch.Count > 0 && bytes > _maxBatchBytes)
                break;
            batch.Add(_pending.RemoveFirst());
            if (alone)
                break;
        }
        return batch.ToArray();
    }
}
