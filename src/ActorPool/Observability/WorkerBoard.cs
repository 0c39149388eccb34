using System.Diagnostics;
using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Observability;

/// <summary>
/// What a pool's workers are doing, for a live view of the pool (the dashboard): each worker's
/// state and current task, the items it ran, the recent stretches of work on each (the task
/// stream), and recent failures and lost workers. Kept only while someone watches
/// (<see cref="Watch"/>): until then every report returns after one volatile read.
/// </summary>
/// <remarks>
/// <para>Workers in this process report each chunk as it starts and ends, from their own threads.
/// Workers of other processes are seen from the router, which knows when it sends one a batch and
/// when the batch is done: such a worker is busy while it holds a batch, and its stretches of work
/// are batches, timed from sending to done.</para>
/// <para>One lock guards the board; reports take it briefly, and never call out while holding it.</para>
/// </remarks>
internal sealed class WorkerBoard
{
    /// <summary>Stretches of work kept for the task stream.</summary>
    public const int StretchesKept = 4096;

    /// <summary>Alerts kept.</summary>
    public const int AlertsKept = 100;

    private readonly object _gate = new();
    private readonly Dictionary<IActorRef, WorkerRow> _workers = new(ActorRefComparer.Instance);
    private readonly Ring<WorkStretch> _stretches = new(StretchesKept);
    private readonly Ring<PoolAlert> _alerts = new(AlertsKept);
    private readonly Func<long, string> _describeJob;
    private int _watchers;
    private int _joined;
    private int _localCount;

    /// <param name="describeJob">Names a job by its id (its kind and id), for a worker's current task.</param>
    public WorkerBoard(Func<long, string> describeJob) => _describeJob = describeJob;

    /// <summary>When the board began: times on it are seconds since then.</summary>
    public long Origin { get; } = Stopwatch.GetTimestamp();

    /// <summary>Whether someone watches: reports are kept only then.</summary>
    public bool Watched => Volatile.Read(ref _watchers) > 0;

    /// <summary>Seconds since <see cref="Origin"/>.</summary>
    public double Now => Stopwatch.GetElapsedTime(Origin).TotalSeconds;

    /// <summary>Starts watching: reports are kept until the returned handle is disposed (watchers are counted).</summary>
    public IDisposable Watch()
    {
        if (Interlocked.Increment(ref _watchers) == 1)
        {
            // What was held when the last watcher left may have ended unseen since.
            lock (_gate)
            {
                foreach (var row in _workers.Values)
                    row.Work.Clear();
            }
        }
        return new Unwatch(this);
    }

    private sealed class Unwatch(WorkerBoard board) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                Interlocked.Decrement(ref board._watchers);
        }
    }

    /// <summary>A worker joined: it is listed, idle, from now on. Workers of this process report it as they start, so that a board watched later lists them too.</summary>
    public void Joined(IActorRef worker)
    {
        lock (_gate)
        {
            if (!_workers.ContainsKey(worker))
                _workers[worker] = NewRow(worker);
        }
    }

    /// <summary>A worker left (or was replaced as planned), or was lost: <paramref name="lostBecause"/> says why when it was lost.</summary>
    public void Left(IActorRef worker, string? lostBecause = null)
    {
        lock (_gate)
        {
            if (!_workers.Remove(worker, out var row) || lostBecause is null || !Watched)
                return;
            _alerts.Add(new PoolAlert(Now, AlertKind.WorkerLost, $"Worker {row.Id} lost: it {lostBecause}."));
        }
    }

    /// <summary>A worker of this process starts a chunk of <paramref name="items"/> items of job <paramref name="jobId"/>.</summary>
    public void Began(IActorRef worker, long jobId, long chunkIndex, int items)
    {
        if (!Watched)
            return;
        lock (_gate)
        {
            // A worker of this process runs one chunk at a time: what it held is over, whether or not its end was seen.
            var work = RowOf(worker).Work;
            work.Clear();
            work.Add(new WorkHeld(-1, jobId, chunkIndex, items, Now));
        }
    }

    /// <summary>A worker of this process ended the chunk it began: <paramref name="failed"/> of its items failed.</summary>
    public void Ended(IActorRef worker, int failed)
    {
        if (!Watched)
            return;
        lock (_gate)
        {
            if (_workers.TryGetValue(worker, out var row) && row.Work.Count > 0)
                End(row, 0, failed);
        }
    }

    /// <summary>The router sent batch <paramref name="batchId"/> of <paramref name="items"/> items, its first of job <paramref name="jobId"/>, to a worker of another process.</summary>
    public void Sent(IActorRef worker, long batchId, long jobId, int items)
    {
        if (!Watched)
            return;
        lock (_gate)
            RowOf(worker).Work.Add(new WorkHeld(batchId, jobId, -1, items, Now));
    }

    /// <summary>Items of batch <paramref name="batchId"/> held by a worker of another process were taken back before they started: <paramref name="items"/> of them.</summary>
    public void TakenBack(IActorRef worker, long batchId, int items)
    {
        if (!Watched || items == 0)
            return;
        lock (_gate)
        {
            if (_workers.TryGetValue(worker, out var row) && row.Work.FindIndex(held => held.BatchId == batchId) is var index and >= 0)
                row.Work[index] = row.Work[index] with { Items = row.Work[index].Items - items };
        }
    }

    /// <summary>A worker of another process is done with batch <paramref name="batchId"/>, of which it did not run <paramref name="unrun"/> items.</summary>
    public void Done(IActorRef worker, long batchId, int unrun)
    {
        if (!Watched)
            return;
        lock (_gate)
        {
            if (!_workers.TryGetValue(worker, out var row))
                return;
            var index = row.Work.FindIndex(held => held.BatchId == batchId);
            if (index >= 0)
                End(row, index, failed: 0, unrun);
        }
    }

    /// <summary>Items of job <paramref name="job"/> failed: <paramref name="failed"/> of them, the first with <paramref name="error"/>.</summary>
    public void Failed(string job, long failed, Exception? error)
    {
        if (Watched)
            Alert(AlertKind.Failure, $"{job}: {Items(failed)} failed{Because(error)}");
    }

    /// <summary>Items of chunk <paramref name="chunkIndex"/> of job <paramref name="job"/> were run again <paramref name="retries"/> times after failures.</summary>
    public void Retried(string job, long chunkIndex, int retries)
    {
        if (Watched)
            Alert(AlertKind.Retry, $"{job}: {(retries == 1 ? "1 retry" : $"{retries} retries")} in chunk {chunkIndex}");
    }

    /// <summary>Job <paramref name="job"/> ended failed, or cancelled, with <paramref name="error"/>.</summary>
    public void JobEnded(string job, bool cancelled, Exception? error)
    {
        if (Watched)
            Alert(cancelled ? AlertKind.Cancelled : AlertKind.JobFailed, $"{job} {(cancelled ? "was cancelled" : "failed")}{Because(error)}");
    }

    private void Alert(AlertKind kind, string text)
    {
        lock (_gate)
            _alerts.Add(new PoolAlert(Now, kind, text));
    }

    /// <summary>What an alert says of <paramref name="error"/>: its type and message after a colon; nothing for none.</summary>
    private static string Because(Exception? error) =>
        error is null ? "" : $": {error.GetType().Name}: {UserText.MessageOf(error)}";

    /// <summary>Every worker listed, in the order they joined.</summary>
    public IReadOnlyList<WorkerStatus> Workers()
    {
        lock (_gate)
        {
            return _workers.Values.OrderBy(row => row.Ordinal)
                .Select(row => new WorkerStatus(row.Id, row.Node, row.Work.Count > 0 ? "busy" : "idle", row.Work.Count > 0 ? Describe(row.Work[0]) : null, row.Completed))
                .ToList();
        }
    }

    /// <summary>The stretches of work ended since <paramref name="cursor"/>, oldest first (at most <see cref="StretchesKept"/>); moves the cursor past them.</summary>
    public IReadOnlyList<WorkStretch> StretchesSince(ref long cursor)
    {
        lock (_gate)
            return _stretches.Since(ref cursor);
    }

    /// <summary>The alerts raised since <paramref name="cursor"/>, oldest first (at most <see cref="AlertsKept"/>); moves the cursor past them.</summary>
    public IReadOnlyList<PoolAlert> AlertsSince(ref long cursor)
    {
        lock (_gate)
            return _alerts.Since(ref cursor);
    }

    /// <summary>What a worker holds, as people read it; made when read, not on the workers' path.</summary>
    private string Describe(WorkHeld held) => held.ChunkIndex >= 0
        ? $"{_describeJob(held.JobId)}, chunk {held.ChunkIndex} ({Items(held.Items)})"
        : $"{_describeJob(held.JobId)}, {Items(held.Items)}";

    private static string Items(long count) => count == 1 ? "1 item" : $"{count} items";

    // Under the gate.
    private WorkerRow RowOf(IActorRef worker)
    {
        if (!_workers.TryGetValue(worker, out var row))
            _workers[worker] = row = NewRow(worker);
        return row;
    }

    // Under the gate.
    private WorkerRow NewRow(IActorRef worker)
    {
        var address = worker.Path.Address;
        if (address.Host is { } host)
            return new WorkerRow($"{host}:{address.Port}/{worker.Path.Name}", $"{host}:{address.Port}", _joined++);
        // Akka's pool routers name their routees $a, $b...: the board numbers local workers as they join.
        var name = worker.Path.Name.StartsWith('$') ? $"worker-{_localCount}" : worker.Path.Name;
        _localCount++;
        return new WorkerRow(name, "local", _joined++);
    }

    // Under the gate.
    private void End(WorkerRow row, int index, int failed, int unrun = 0)
    {
        var held = row.Work[index];
        row.Work.RemoveAt(index);
        var ran = Math.Max(0, held.Items - unrun);
        row.Completed += ran;
        if (ran > 0)
            _stretches.Add(new WorkStretch(row.Id, held.JobId, held.Since, Now, ran, failed));
    }

    private sealed class WorkerRow(string id, string node, int ordinal)
    {
        public string Id { get; } = id;
        public string Node { get; } = node;
        public int Ordinal { get; } = ordinal;
        public long Completed { get; set; }

        /// <summary>What it holds, oldest first: in process the chunk it runs; on a node the batches it was sent.</summary>
        public List<WorkHeld> Work { get; } = new();
    }

    /// <summary>A chunk (in process: <c>BatchId</c> -1) or a batch (on a node: <c>ChunkIndex</c> -1, the job of its first chunk) a worker holds; <c>Since</c> is on the board's clock.</summary>
    private sealed record WorkHeld(long BatchId, long JobId, long ChunkIndex, int Items, double Since);
}

/// <summary>A worker as the dashboard lists it.</summary>
/// <param name="Id">The worker's name: <c>worker-0</c> in process, <c>host:port/name</c> on a node.</param>
/// <param name="Node">Where it runs: <c>local</c>, or the node's <c>host:port</c>.</param>
/// <param name="State"><c>idle</c> or <c>busy</c>.</param>
/// <param name="Current">What it runs, when busy.</param>
/// <param name="Completed">Items it ran while the board was watched.</param>
internal sealed record WorkerStatus(string Id, string Node, string State, string? Current, long Completed);

/// <summary>A stretch of work on a worker, for the task stream: a chunk in process, a batch on a node; times in seconds on the board's clock.</summary>
internal sealed record WorkStretch(string Worker, long Job, double Start, double End, int Items, int Failed);

/// <summary>What an alert is about.</summary>
internal enum AlertKind
{
    Failure,
    Retry,
    JobFailed,
    Cancelled,
    WorkerLost,
}

/// <summary>Something that went wrong, at <paramref name="Time"/> seconds on the board's clock.</summary>
internal sealed record PoolAlert(double Time, AlertKind Kind, string Text);
