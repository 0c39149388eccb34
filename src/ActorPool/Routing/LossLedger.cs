using System.Diagnostics;
using ActorPool.Protocol;

namespace ActorPool.Routing;

/// <summary>
/// Which worker of a work-pulling router holds which chunks, and which chunks have been with
/// workers that died: what lets lost work be sent again, and a chunk that kills every worker it
/// reaches fail instead of taking down the whole pool. Pure: no actors; <typeparamref name="TWorker"/>
/// is an actor reference in the router and anything comparable in tests.
/// </summary>
/// <remarks>
/// <para>Invariants (checked in debug builds): every chunk handed to <see cref="Assign"/> is held
/// by exactly one worker until that worker reports its batch done, or is lost, but for a
/// straggler's copy (<see cref="AssignCopy"/>), held by two until both report; a worker runs its
/// batches in the order sent, so the oldest batch it holds is the one a report answers; a chunk
/// that has lost a worker (a suspect) is held alone, by a worker that holds nothing else to run
/// (batches taken back whole stay, empty, until reported), so that if it kills that worker too
/// the blame falls on it and on nothing innocent. A batch's chunks keep the places they were sent
/// in, which take-backs name (<see cref="Shrink"/>): chunks are only ever cut off its end.</para>
/// </remarks>
internal sealed class LossLedger<TWorker> where TWorker : notnull
{
    private sealed class Holding
    {
        public Queue<(long Id, RunChunk[] Chunks)> Batches { get; set; } = new();
        public int Chunks { get; set; }

        /// <summary>Its node refused a batch: it gets nothing until it reports one done or is resumed.</summary>
        public bool Refused { get; set; }
    }

    private readonly int _maxLosses;
    private readonly int _maxBatchesPerWorker;
    // Workers in the order they joined: ties in load go to the earliest, as they always have.
    private readonly List<TWorker> _workers = new();
    private readonly Dictionary<TWorker, Holding> _held = new(ActorRefComparer.For<TWorker>());
    private readonly Dictionary<(long JobId, long ChunkIndex), int> _losses = new();
    // Chunks held twice: a straggler's, and its copy started on an idle worker (speculation).
    private readonly HashSet<(long JobId, long ChunkIndex)> _copied = new();
    // Copied chunks one copy has answered for, still held by the other until it reports.
    private readonly HashSet<(long JobId, long ChunkIndex)> _settled = new();
    private long _lastBatchId;

    /// <param name="maxLosses">A chunk that was on this many workers that died fails (<c>MaxWorkerLosses</c>).</param>
    /// <param name="maxBatchesPerWorker">Batches a worker may hold while there is plenty of work (<c>MessagesInFlightPerWorker</c>).</param>
    public LossLedger(int maxLosses, int maxBatchesPerWorker)
    {
        _maxLosses = maxLosses;
        _maxBatchesPerWorker = maxBatchesPerWorker;
        TravelsAlone = IsSuspect;
    }

    /// <summary><see cref="IsSuspect"/> as a delegate made once, for batching on every dispatch without allocating.</summary>
    public Func<RunChunk, bool> TravelsAlone { get; }

    public int WorkerCount => _workers.Count;

    public IReadOnlyList<TWorker> Workers => _workers;

    public bool Has(TWorker worker) => _held.ContainsKey(worker);

    /// <summary>The batches <paramref name="worker"/> holds, oldest first; none for a worker not known.</summary>
    public IEnumerable<(long Id, RunChunk[] Chunks)> BatchesOf(TWorker worker) =>
        _held.TryGetValue(worker, out var holding) ? holding.Batches : [];

    /// <summary>Whether a copy of <paramref name="chunk"/> was started besides the one first sent (and it is still held): it is not copied again.</summary>
    public bool IsCopied(RunChunk chunk) => (_copied.Count > 0 && _copied.Contains(Key(chunk))) || IsSettled(chunk);

    /// <summary>Whether one copy of <paramref name="chunk"/> answered for it while another is still held: nothing of it is to run again.</summary>
    public bool IsSettled(RunChunk chunk) => _settled.Count > 0 && _settled.Contains(Key(chunk));

    /// <summary>
    /// Records that a copy of <paramref name="chunk"/>, which another worker holds and runs, was sent
    /// to <paramref name="worker"/> alone; returns the batch's id. The chunk is then held twice until
    /// either copy's batch is done (<see cref="EndCopies"/>).
    /// </summary>
    public long AssignCopy(TWorker worker, RunChunk chunk)
    {
        _copied.Add(Key(chunk));
        return Assign(worker, [chunk]);
    }

    /// <summary>
    /// Of the chunks <paramref name="worker"/> ran in batch <paramref name="batchId"/> (all but those
    /// <paramref name="returned"/>), those of which a copy runs elsewhere, with the workers holding
    /// the other copies: the first result won, and the others are to be cancelled. Call it before
    /// <see cref="Complete"/>. The others keep holding their copies (a worker running a losing copy
    /// is busy, and its batch keeps its places) until they report; their loss sends nothing of
    /// them again.
    /// </summary>
    public IReadOnlyList<(RunChunk Chunk, TWorker[] Others)> EndCopies(TWorker worker, long batchId, IReadOnlyCollection<RunChunk> returned)
    {
        if (_copied.Count == 0 || !_held.TryGetValue(worker, out var holding) || !holding.Batches.TryPeek(out var oldest) || oldest.Id != batchId)
            return [];
        var ended = new List<(RunChunk, TWorker[])>();
        foreach (var chunk in oldest.Chunks)
        {
            if (!_copied.Contains(Key(chunk)) || returned.Any(unrun => Key(unrun) == Key(chunk)))
                continue;
            _copied.Remove(Key(chunk));
            _settled.Add(Key(chunk));
            ended.Add((chunk, HoldersOf(chunk).Where(other => !other.Equals(worker)).ToArray()));
        }
        return ended;
    }

    /// <summary>The chunks <paramref name="worker"/> holds, oldest batch first.</summary>
    public IEnumerable<RunChunk> HeldBy(TWorker worker) => _held[worker].Batches.SelectMany(batch => batch.Chunks);

    /// <summary>Chunks that have lost at least one worker and are still to be run.</summary>
    public int SuspectCount => _losses.Count;

    /// <summary>A new worker, holding nothing; false if it was known already.</summary>
    public bool Add(TWorker worker)
    {
        if (!_held.TryAdd(worker, new Holding()))
            return false;
        _workers.Add(worker);
        return true;
    }

    /// <summary>Whether <paramref name="chunk"/> has been with a worker that died.</summary>
    public bool IsSuspect(RunChunk chunk) => _losses.Count > 0 && _losses.ContainsKey(Key(chunk));

    /// <summary>
    /// The worker to give the next batch to: the one with the fewest chunks among those with room.
    /// A worker that holds work has room only while there is <paramref name="plenty"/> for everyone,
    /// it is under its batch bound, the next chunk is no suspect and it holds none; near the end
    /// of the work each chunk goes to a worker with nothing at all, so none waits behind a long task
    /// while another worker idles.
    /// </summary>
    public bool TryPick(bool plenty, bool suspectNext, out TWorker worker)
    {
        worker = default!;
        Holding? best = null;
        foreach (var candidate in _workers)
        {
            var holding = _held[candidate];
            if (holding.Refused)
                continue;
            // A worker whose batches were all taken back holds nothing to run, but is not idle until it
            // reports them: its thread is busy or slow, and what was taken from it must go elsewhere.
            var hasRoom = holding.Batches.Count == 0
                || (plenty && !suspectNext && holding.Batches.Count < _maxBatchesPerWorker && !HoldsSuspect(holding));
            if (hasRoom && (best is null || holding.Chunks < best.Chunks))
            {
                best = holding;
                worker = candidate;
            }
        }
        return best is not null;
    }

    /// <summary>Records that <paramref name="worker"/> was sent <paramref name="chunks"/>; returns the batch's id.</summary>
    public long Assign(TWorker worker, RunChunk[] chunks)
    {
        var holding = _held[worker];
        var id = ++_lastBatchId;
        holding.Batches.Enqueue((id, chunks));
        holding.Chunks += chunks.Length;
        CheckInvariants();
        return id;
    }

    /// <summary>
    /// <paramref name="worker"/> finished batch <paramref name="batchId"/>, except the chunks it
    /// <paramref name="returned"/> unrun (to be queued again by the caller). False for a report the
    /// ledger no longer expects (a batch given up on when its worker was lost): ignore it, its
    /// chunks were queued again then.
    /// </summary>
    public bool Complete(TWorker worker, long batchId, IReadOnlyCollection<RunChunk> returned)
    {
        if (!_held.TryGetValue(worker, out var holding) || !holding.Batches.TryPeek(out var oldest) || oldest.Id != batchId)
            return false;
        holding.Batches.Dequeue();
        holding.Chunks -= oldest.Chunks.Length;
        holding.Refused = false; // it made progress: its node has room again, at least the batch's
        if (_settled.Count > 0)
        {
            foreach (var chunk in oldest.Chunks)
                ForgetSettledUnlessHeld(chunk);
        }
        if (_losses.Count > 0)
        {
            var unrun = returned.Select(Key).ToHashSet();
            foreach (var finished in oldest.Chunks.Where(chunk => !unrun.Contains(Key(chunk))))
                _losses.Remove(Key(finished));
        }
        CheckInvariants();
        return true;
    }

    /// <summary>
    /// Batch <paramref name="batchId"/> of <paramref name="worker"/> keeps only its chunks before
    /// <paramref name="kept"/>: the others were taken back before they started. Returns those it
    /// still held (to be queued again by the caller), none if it holds no such batch or no such
    /// chunk: a take-back is reported both by whoever took it and by the worker, whichever first.
    /// </summary>
    public IReadOnlyList<RunChunk> Shrink(TWorker worker, long batchId, int kept)
    {
        // Asked on every report: nothing is rebuilt (or allocated) unless that batch is longer than what was kept.
        if (!_held.TryGetValue(worker, out var holding) || !HasLongerThan(holding, batchId, kept))
            return [];
        RunChunk[] taken = [];
        holding.Batches = new Queue<(long, RunChunk[])>(holding.Batches.Select(batch =>
        {
            if (batch.Id != batchId || batch.Chunks.Length <= kept)
                return batch;
            taken = batch.Chunks[kept..];
            return (batch.Id, batch.Chunks[..kept]);
        }));
        return GiveBack(worker, holding, taken).ToList();
    }

    /// <summary>
    /// <paramref name="worker"/>'s node refused batch <paramref name="batchId"/>: none of it ran or
    /// will, and no report of it will come. The batch is forgotten wherever it is among the worker's
    /// (a refusal may overtake the reports of batches sent before it), and the worker gets nothing
    /// more until it reports a batch done or is <see cref="Resume">resumed</see>, so that a full node
    /// is not sent the same work again at once. Returns the chunks to queue again (not those a copy
    /// answers for), or null if the worker holds no such batch: the refusal of a batch given up on
    /// when its worker was lost, whose chunks were queued again then.
    /// </summary>
    public IReadOnlyCollection<RunChunk>? Refuse(TWorker worker, long batchId)
    {
        if (!_held.TryGetValue(worker, out var holding)
            || holding.Batches.FirstOrDefault(batch => batch.Id == batchId).Chunks is not { } refused)
            return null;
        holding.Batches = new Queue<(long, RunChunk[])>(holding.Batches.Where(batch => batch.Id != batchId));
        holding.Refused = true;
        return GiveBack(worker, holding, refused);
    }

    /// <summary>
    /// <paramref name="chunks"/>, taken from what <paramref name="worker"/> holds (its batches already
    /// rebuilt without them), are no longer its: returns those still to run (not those a copy answers for).
    /// </summary>
    private IReadOnlyCollection<RunChunk> GiveBack(TWorker worker, Holding holding, RunChunk[] chunks)
    {
        holding.Chunks -= chunks.Length;
        var toRun = StillToRun(worker, chunks);
        if (_settled.Count > 0)
        {
            foreach (var chunk in chunks)
                ForgetSettledUnlessHeld(chunk);
        }
        CheckInvariants();
        return toRun;
    }

    /// <summary><paramref name="worker"/>, refused by its node a while ago, may be sent work again; false if it was not waiting for that.</summary>
    public bool Resume(TWorker worker)
    {
        if (!_held.TryGetValue(worker, out var holding) || !holding.Refused)
            return false;
        holding.Refused = false;
        return true;
    }

    /// <summary>Whether <paramref name="worker"/>'s node refused it a batch since it last reported one done or was resumed.</summary>
    public bool IsRefused(TWorker worker) => _held.TryGetValue(worker, out var holding) && holding.Refused;

    /// <summary>
    /// While a worker holds nothing: the workers holding more than one chunk, one of which at most
    /// can be running, with their batches' ids, oldest first. What they have not started is better
    /// taken back and run by the idle one than left waiting behind a long task.
    /// </summary>
    public IReadOnlyList<(TWorker Worker, long[] BatchIds)> Stragglers()
    {
        // Asked after every report while little work waits: plain loops, and nothing allocated when there is nothing to take.
        bool anyIdle = false, anyStraggler = false;
        foreach (var holding in _held.Values)
        {
            anyIdle |= holding.Batches.Count == 0 && !holding.Refused; // one refused can take nothing taken back
            anyStraggler |= holding.Chunks > 1;
        }
        if (!anyIdle || !anyStraggler)
            return [];
        return _workers.Where(worker => _held[worker].Chunks > 1)
            .Select(worker => (worker, _held[worker].Batches.Select(batch => batch.Id).ToArray()))
            .ToList();
    }

    /// <summary>
    /// <paramref name="worker"/> is gone: everything it held is returned, oldest first, to be queued
    /// again, except chunks that have now lost <c>maxLosses</c> workers, which are to fail. If it
    /// <paramref name="crashed"/>, every chunk it had not reported done counts a loss: not only the
    /// oldest batch, since the report of a batch it finished may still be on its way when the news
    /// of its death arrives, and the chunk that killed it must not escape blame. Innocent chunks
    /// blamed alongside it are harmless: from then on they travel alone, so each is blamed again
    /// only if it kills a worker itself. With <paramref name="runningOnly"/> (a loss detected late,
    /// after every earlier report has arrived) only the oldest batch, the one running, is blamed.
    /// </summary>
    public WorkerLoss Lose(TWorker worker, bool crashed, bool runningOnly)
    {
        if (!_held.Remove(worker, out var holding))
            return WorkerLoss.None;
        _workers.Remove(worker);
        var again = new List<RunChunk>();
        var failed = new List<(RunChunk, int)>();
        var blame = crashed;
        foreach (var (_, batch) in holding.Batches)
        {
            if (batch.Length == 0)
                continue; // taken back whole: it was not running, and runs nothing
            foreach (var chunk in batch)
            {
                // Its copy answered for it, or runs on and will: nothing of it is lost.
                if (IsSettled(chunk))
                {
                    ForgetSettledUnlessHeld(chunk);
                    continue;
                }
                if (_copied.Remove(Key(chunk)) && IsHeld(chunk))
                    continue;
                var losses = blame ? (_losses[Key(chunk)] = _losses.GetValueOrDefault(Key(chunk)) + 1) : 0;
                if (losses >= _maxLosses)
                {
                    _losses.Remove(Key(chunk));
                    failed.Add((chunk, losses));
                }
                else
                {
                    again.Add(chunk);
                }
            }
            blame &= !runningOnly;
        }
        CheckInvariants();
        return new WorkerLoss(again, failed);
    }

    /// <summary>Forgets the losses of chunks that will not run (their job dropped them, or they failed unsent).</summary>
    public void Forget(IEnumerable<RunChunk> chunks)
    {
        if (_losses.Count == 0)
            return;
        foreach (var chunk in chunks)
            _losses.Remove(Key(chunk));
    }

    /// <summary>
    /// Of <paramref name="chunks"/>, which <paramref name="worker"/> hands back unrun (or had taken
    /// back), those to queue again: not those a copy answered for, nor those whose copy another
    /// worker still runs (which is then their only copy).
    /// </summary>
    public IReadOnlyCollection<RunChunk> StillToRun(TWorker worker, IReadOnlyCollection<RunChunk> chunks)
    {
        if (_settled.Count == 0 && _copied.Count == 0)
            return chunks;
        var again = new List<RunChunk>();
        foreach (var chunk in chunks)
        {
            if (IsSettled(chunk))
                continue;
            if (_copied.Contains(Key(chunk)) && IsHeld(chunk, except: worker))
            {
                _copied.Remove(Key(chunk));
                continue;
            }
            again.Add(chunk);
        }
        return again;
    }

    /// <summary>The workers holding <paramref name="chunk"/> (two for a straggler and its copy), in the order they joined.</summary>
    private IEnumerable<TWorker> HoldersOf(RunChunk chunk) =>
        _workers.Where(worker => _held[worker].Batches.Any(batch => batch.Chunks.Any(held => Key(held) == Key(chunk))));

    private bool IsHeld(RunChunk chunk) => HoldersOf(chunk).Any();

    private bool IsHeld(RunChunk chunk, TWorker except) => HoldersOf(chunk).Any(worker => !worker.Equals(except));

    private void ForgetSettledUnlessHeld(RunChunk chunk)
    {
        if (IsSettled(chunk) && !IsHeld(chunk))
            _settled.Remove(Key(chunk));
    }

    private static bool HasLongerThan(Holding holding, long batchId, int kept)
    {
        foreach (var (id, chunks) in holding.Batches)
        {
            if (id == batchId)
                return chunks.Length > kept;
        }
        return false;
    }

    private bool HoldsSuspect(Holding holding) =>
        _losses.Count > 0 && holding.Batches.Any(batch => batch.Chunks.Any(IsSuspect));

    private static (long, long) Key(RunChunk chunk) => (chunk.JobId, chunk.ChunkIndex);

    [Conditional("DEBUG")]
    private void CheckInvariants()
    {
        Debug.Assert(_workers.Count == _held.Count, "every worker has one holding");
        var held = new HashSet<(long, long)>();
        foreach (var holding in _held.Values)
        {
            Debug.Assert(holding.Chunks == holding.Batches.Sum(batch => batch.Chunks.Length), "a worker's chunk count matches its batches");
            foreach (var (_, batch) in holding.Batches)
            {
                foreach (var chunk in batch)
                {
                    Debug.Assert(held.Add(Key(chunk)) || _copied.Contains(Key(chunk)) || _settled.Contains(Key(chunk)), "no chunk is held twice, but for a straggler's copy");
                    Debug.Assert(!IsSuspect(chunk) || (holding.Batches.Count(other => other.Chunks.Length > 0) == 1 && batch.Length == 1), "a suspect is held alone");
                }
            }
        }
    }
}

/// <summary>What a lost worker held: chunks to queue again (oldest first), and chunks that fail, with their loss counts.</summary>
internal sealed record WorkerLoss(IReadOnlyList<RunChunk> Again, IReadOnlyList<(RunChunk Chunk, int Losses)> Failed)
{
    public static WorkerLoss None { get; } = new([], []);
}
