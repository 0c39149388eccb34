using System.Collections.Concurrent;

namespace ActorPool.Protocol;

/// <summary>
/// The cancellation of one pool's tasks in one process: which of its jobs (or of their chunks)
/// were cancelled, and a token for each chunk of theirs that runs here and whose task asked for
/// one (<see cref="PoolContext.CancellationToken"/>).
/// A pool has one for its workers in process; a node host has one per pool it serves.
/// </summary>
/// <remarks>
/// Tokens are made only when a task asks: a job whose tasks never look costs a volatile read per
/// chunk (and, once any job was cancelled, a lookup without a lock). Cancelling one runs the
/// callbacks registered on it on the thread pool, never on the caller's thread, which may be an actor's. Cancelled jobs are remembered (the last
/// <see cref="RememberedJobs"/>) so that their chunks still queued at a worker are not run; an older
/// one's chunk would run, and its result be discarded like any late result.
/// </remarks>
internal sealed class TaskCancellation
{
    /// <summary>Cancelled jobs remembered, and cancelled chunks remembered.</summary>
    public const int RememberedJobs = 1024;

    private readonly object _gate = new();
    private readonly Dictionary<(long Job, long Chunk), Running> _running = new();
    private readonly ConcurrentDictionary<long, bool> _cancelled = new(); // read without the gate, written under it
    private readonly Queue<long> _cancelledInOrder = new();
    private readonly ConcurrentDictionary<(long Job, long Chunk), bool> _cancelledChunks = new(); // the same
    private readonly Queue<(long, long)> _cancelledChunksInOrder = new();
    private volatile bool _anyCancelled; // IsCancelled's fast path: nothing was ever cancelled
    private volatile bool _anyChunkCancelled;
    private volatile bool _all;
    private int _generation;

    private sealed class Running
    {
        public readonly CancellationTokenSource Source = new();
        public int Users;
    }

    /// <summary>
    /// Changes after every cancellation, once what it cancelled can be read: a worker's item loop
    /// reads this one number per item and asks <see cref="IsCancelled(long, long)"/> only when it changed.
    /// </summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Whether job <paramref name="jobId"/>, or every job (<see cref="CancelAll"/>), was cancelled.</summary>
    /// <remarks>Asked once per item by every worker: it takes no lock.</remarks>
    public bool IsCancelled(long jobId) => _anyCancelled && (_all || _cancelled.ContainsKey(jobId));

    /// <summary>Whether chunk <paramref name="chunkIndex"/> of job <paramref name="jobId"/> was cancelled, alone (<see cref="CancelChunk"/>) or with its job.</summary>
    public bool IsCancelled(long jobId, long chunkIndex) =>
        IsCancelled(jobId) || (_anyChunkCancelled && _cancelledChunks.ContainsKey((jobId, chunkIndex)));

    /// <summary>
    /// The token of chunk <paramref name="chunkIndex"/> of job <paramref name="jobId"/>, about to run
    /// or running here (cancelled already if it or its job is); each call must be matched by one <see cref="Release"/>.
    /// </summary>
    public CancellationToken Acquire(long jobId, long chunkIndex)
    {
        lock (_gate)
        {
            if (!_running.TryGetValue((jobId, chunkIndex), out var running))
            {
                _running.Add((jobId, chunkIndex), running = new Running());
                if (IsCancelled(jobId, chunkIndex))
                    running.Source.Cancel(); // new: nothing is registered on it yet, so no callback runs here
            }
            running.Users++;
            return running.Source.Token;
        }
    }

    /// <summary>A task that acquired the token of chunk <paramref name="chunkIndex"/> of job <paramref name="jobId"/> has ended.</summary>
    public void Release(long jobId, long chunkIndex)
    {
        lock (_gate)
        {
            if (_running.TryGetValue((jobId, chunkIndex), out var running) && --running.Users == 0)
                _running.Remove((jobId, chunkIndex));
        }
    }

    /// <summary>Cancels job <paramref name="jobId"/>: the tokens of its tasks here, and its chunks that have not started.</summary>
    public void Cancel(long jobId)
    {
        Running[] running;
        lock (_gate)
        {
            if (_cancelled.TryAdd(jobId, true))
            {
                _cancelledInOrder.Enqueue(jobId);
                if (_cancelledInOrder.Count > RememberedJobs)
                    _cancelled.TryRemove(_cancelledInOrder.Dequeue(), out _);
            }
            _anyCancelled = true;
            Interlocked.Increment(ref _generation);
            running = _running.Where(entry => entry.Key.Job == jobId).Select(entry => entry.Value).ToArray();
        }
        foreach (var one in running)
            _ = one.Source.CancelAsync();
    }

    /// <summary>
    /// Cancels chunk <paramref name="chunkIndex"/> of job <paramref name="jobId"/> alone (a copy of it
    /// won elsewhere): its token here, and the chunk itself if it has not started.
    /// </summary>
    public void CancelChunk(long jobId, long chunkIndex)
    {
        Running? running;
        lock (_gate)
        {
            if (_cancelledChunks.TryAdd((jobId, chunkIndex), true))
            {
                _cancelledChunksInOrder.Enqueue((jobId, chunkIndex));
                if (_cancelledChunksInOrder.Count > RememberedJobs)
                    _cancelledChunks.TryRemove(_cancelledChunksInOrder.Dequeue(), out _);
            }
            _anyChunkCancelled = true;
            _anyCancelled = true;
            Interlocked.Increment(ref _generation);
            _running.TryGetValue((jobId, chunkIndex), out running);
        }
        if (running is not null)
            _ = running.Source.CancelAsync();
    }

    /// <summary>Cancels every job, those to come included.</summary>
    public void CancelAll()
    {
        Running[] running;
        lock (_gate)
        {
            _all = true;
            _anyCancelled = true;
            Interlocked.Increment(ref _generation);
            running = _running.Values.ToArray();
        }
        foreach (var one in running)
            _ = one.Source.CancelAsync();
    }
}
