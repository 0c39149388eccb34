using System.Collections.Concurrent;

namespace ActorPool.Protocol;

/// <summary>
/// The cancellation of one pool's tasks in one process: which of its jobs were cancelled, and a
/// token for each task of theirs that runs here and asked for one (<see cref="PoolContext.CancellationToken"/>).
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
    /// <summary>Cancelled jobs remembered.</summary>
    public const int RememberedJobs = 1024;

    private readonly object _gate = new();
    private readonly Dictionary<long, Running> _running = new();
    private readonly ConcurrentDictionary<long, bool> _cancelled = new(); // read without the gate, written under it
    private readonly Queue<long> _cancelledInOrder = new();
    private volatile bool _anyCancelled; // IsCancelled's fast path: nothing was ever cancelled
    private volatile bool _all;

    private sealed class Running
    {
        public readonly CancellationTokenSource Source = new();
        public int Users;
    }

    /// <summary>Whether job <paramref name="jobId"/>, or every job (<see cref="CancelAll"/>), was cancelled.</summary>
    /// <remarks>Asked once per chunk by every worker: it takes no lock.</remarks>
    public bool IsCancelled(long jobId) => _anyCancelled && (_all || _cancelled.ContainsKey(jobId));

    /// <summary>
    /// The token of a task of job <paramref name="jobId"/> that is about to run or is running here
    /// (cancelled already if the job is); each call must be matched by one <see cref="Release"/>.
    /// </summary>
    public CancellationToken Acquire(long jobId)
    {
        lock (_gate)
        {
            if (!_running.TryGetValue(jobId, out var running))
            {
                _running.Add(jobId, running = new Running());
                if (_all || _cancelled.ContainsKey(jobId))
                    running.Source.Cancel(); // new: nothing is registered on it yet, so no callback runs here
            }
            running.Users++;
            return running.Source.Token;
        }
    }

    /// <summary>A task that acquired a token for job <paramref name="jobId"/> has ended.</summary>
    public void Release(long jobId)
    {
        lock (_gate)
        {
            if (_running.TryGetValue(jobId, out var running) && --running.Users == 0)
                _running.Remove(jobId);
        }
    }

    /// <summary>Cancels job <paramref name="jobId"/>: the tokens of its tasks here, and its chunks that have not started.</summary>
    public void Cancel(long jobId)
    {
        Running? running;
        lock (_gate)
        {
            if (_cancelled.TryAdd(jobId, true))
            {
                _cancelledInOrder.Enqueue(jobId);
                if (_cancelledInOrder.Count > RememberedJobs)
                    _cancelled.TryRemove(_cancelledInOrder.Dequeue(), out _);
            }
            _anyCancelled = true;
            _running.TryGetValue(jobId, out running);
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
            running = _running.Values.ToArray();
        }
        foreach (var one in running)
            _ = one.Source.CancelAsync();
    }
}
