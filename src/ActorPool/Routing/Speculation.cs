using ActorPool.Configuration;
using ActorPool.Protocol;

namespace ActorPool.Routing;

/// <summary>
/// Which straggling chunks of speculative jobs (<see cref="JobOptions.Speculative"/>) deserve a
/// copy on an idle worker: the router's view of when each batch started and how long a job's items
/// take. Pure: times are <see cref="System.Diagnostics.Stopwatch"/> timestamps the caller passes.
/// </summary>
/// <remarks>
/// A worker runs its batches in order, so a batch starts when it arrives or when the one before it
/// is done, whichever is later: the router sees both, give or take a message's travel. A job's
/// typical item time is the median of its recent batches' times per item. A chunk has at most two
/// copies running: it is not copied while copied (<see cref="LossLedger{TWorker}.IsCopied"/>).
/// </remarks>
internal sealed class Speculation<TWorker> where TWorker : notnull
{
    /// <summary>Recent per-item times kept per job, and jobs kept.</summary>
    private const int SamplesPerJob = 63, JobsKept = 64;

    private readonly SpeculationSettings _settings;
    private readonly Dictionary<long, long> _sentAt = new(); // batch id → when sent, for batches of speculative chunks
    private readonly Dictionary<TWorker, long> _lastDoneAt = new(ActorRefComparer.For<TWorker>());
    private readonly Dictionary<long, Queue<double>> _itemSeconds = new(); // job → recent seconds per item
    private readonly Queue<long> _jobsInOrder = new();

    public Speculation(SpeculationSettings settings) => _settings = settings;

    /// <summary>Whether any batch of a speculative job is out: while so, the router looks for stragglers now and then.</summary>
    public bool Watching => _sentAt.Count > 0;

    /// <summary>Batch <paramref name="batchId"/> of <paramref name="chunks"/> was sent at <paramref name="now"/>.</summary>
    public void Sent(long batchId, RunChunk[] chunks, long now)
    {
        if (chunks.Length > 0 && chunks[0].Work.Speculative)
            _sentAt[batchId] = now;
    }

    /// <summary>
    /// <paramref name="worker"/> reported batch <paramref name="batchId"/> done at <paramref name="now"/>,
    /// having run <paramref name="ran"/>: their time per item is a sample of their job's.
    /// </summary>
    public void Done(TWorker worker, long batchId, IReadOnlyList<RunChunk> ran, long now)
    {
        if (_sentAt.Remove(batchId, out var sent) && ran.Count > 0)
        {
            var started = Math.Max(sent, _lastDoneAt.GetValueOrDefault(worker, long.MinValue));
            var items = ran.Sum(chunk => chunk.Work.Count);
            if (items > 0 && ran.All(chunk => chunk.JobId == ran[0].JobId))
                AddSample(ran[0].JobId, Seconds(now - started) / items);
        }
        _lastDoneAt[worker] = now;
    }

    /// <summary>Batch <paramref name="batchId"/> was refused by its worker's node: it never started.</summary>
    public void Unsent(long batchId) => _sentAt.Remove(batchId);

    /// <summary>A worker is gone, with its batches.</summary>
    public void Lost(TWorker worker, IEnumerable<long> batchIds)
    {
        _lastDoneAt.Remove(worker);
        foreach (var id in batchIds)
            _sentAt.Remove(id);
    }

    /// <summary>
    /// The chunks to copy now, each with the worker that runs it: a worker's only batch, of a
    /// speculative job, whose chunks have all started (<paramref name="allStarted"/>: its unstarted
    /// ones were taken back, or it has one chunk), running longer than
    /// <see cref="SpeculationSettings.SlowerThanMedian"/> times the job's median for its items, and
    /// at least <see cref="SpeculationSettings.MinRunning"/>. The caller gives each to an idle worker.
    /// </summary>
    public IReadOnlyList<(TWorker Straggler, RunChunk Chunk)> Stragglers(LossLedger<TWorker> ledger, Func<TWorker, bool> allStarted, long now)
    {
        List<(TWorker, RunChunk)>? found = null;
        foreach (var worker in ledger.Workers)
        {
            // A batch taken back whole stays, empty, until its worker reaches it: it runs nothing.
            var batches = ledger.BatchesOf(worker).Where(batch => batch.Chunks.Length > 0).Take(2).ToArray();
            if (batches is not [var (id, chunks)] || chunks.Length == 0 || !_sentAt.TryGetValue(id, out var sent))
                continue;
            var running = chunks[^1]; // all before it have run: a worker runs its batch in order
            if ((chunks.Length > 1 && !allStarted(worker)) || ledger.IsCopied(running) || !_itemSeconds.TryGetValue(running.JobId, out var samples))
                continue;
            var started = Math.Max(sent, _lastDoneAt.GetValueOrDefault(worker, long.MinValue));
            var expected = _settings.SlowerThanMedian * Median(samples) * chunks.Sum(chunk => chunk.Work.Count);
            var ran = Seconds(now - started);
            if (ran >= Math.Max(expected, _settings.MinRunning.TotalSeconds))
                (found ??= new List<(TWorker, RunChunk)>()).Add((worker, running));
        }
        return found ?? (IReadOnlyList<(TWorker, RunChunk)>)[];
    }

    private void AddSample(long jobId, double seconds)
    {
        if (!_itemSeconds.TryGetValue(jobId, out var samples))
        {
            _itemSeconds[jobId] = samples = new Queue<double>();
            _jobsInOrder.Enqueue(jobId);
            if (_jobsInOrder.Count > JobsKept)
                _itemSeconds.Remove(_jobsInOrder.Dequeue());
        }
        samples.Enqueue(seconds);
        if (samples.Count > SamplesPerJob)
            samples.Dequeue();
    }

    private static double Median(Queue<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static double Seconds(long ticks) => (double)ticks / System.Diagnostics.Stopwatch.Frequency;
}
