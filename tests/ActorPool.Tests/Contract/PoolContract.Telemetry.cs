using System.Diagnostics;
using System.Diagnostics.Metrics;
using ActorPool.Observability;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ActorPool.Tests.Contract;

/// <summary>
/// Metrics (meter <c>ActorPool</c>) and traces (activity source <c>ActorPool</c>), on every routing
/// strategy and deployment. Other tests run meanwhile, with pools of their own: every assertion
/// reads only the measurements and activities tagged with its own pool's name.
/// </summary>
public abstract partial class PoolContract
{
    internal static int FailEveryFourth(int x) => x % 4 == 0 ? throw new InvalidOperationException($"item {x} is bad") : x;

    /// <summary>The trace id the task runs under (its current activity's), or "none".</summary>
    internal static string TraceOfTask(int x) => Activity.Current?.TraceId.ToHexString() ?? "none";

    protected static IEnumerable<CollectedMeasurement<T>> Of<T>(MetricCollector<T> collector, Pool pool) where T : struct =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags.GetValueOrDefault("actorpool.pool"), pool.Name));

    [Fact]
    public void Metrics_IMapWithFailures_CountsEveryItemByOutcomeAndTimesEveryChunk()
    {
        using var completed = new MetricCollector<long>(null, "ActorPool", "actorpool.tasks.completed");
        using var duration = new MetricCollector<double>(null, "ActorPool", "actorpool.chunk.duration");
        using var pool = NewPool();
        var failures = 0;
        using (var results = pool.IMap(FailEveryFourth, Enumerable.Range(0, 20), chunkSize: 2))
        {
            for (var i = 0; i < 20; i++)
            {
                try
                {
                    results.Next(Limit);
                }
                catch (InvalidOperationException)
                {
                    failures++;
                }
            }
        }
        Assert.Equal(5, failures);
        var counts = Of(completed, pool).GroupBy(m => (string)m.Tags["outcome"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["success"] = 15, ["failure"] = 5 }, counts);
        var chunks = Of(duration, pool).ToList();
        Assert.Equal(10, chunks.Count);
        Assert.All(chunks, chunk => Assert.InRange(chunk.Value, 0, Limit.TotalSeconds));
    }

    [Fact]
    public void Metrics_PendingGauge_CountsSubmittedItemsUntilTheyFinish_AndWorkersAreCounted()
    {
        using var pending = new MetricCollector<long>(null, "ActorPool", "actorpool.tasks.pending");
        using var workers = new MetricCollector<int>(null, "ActorPool", "actorpool.workers");
        using var folder = new TempFolder();
        var gate = Path.Combine(folder.Path, "open");
        using var pool = NewPool();
        var result = pool.MapAsync(WaitForFile, Enumerable.Repeat(gate, 6), chunkSize: 1);
        pending.RecordObservableInstruments();
        Assert.Equal(6, Of(pending, pool).Last().Value);
        File.WriteAllText(gate, "");
        Assert.Equal(Enumerable.Repeat(1, 6), result.Get(Limit));
        pending.RecordObservableInstruments();
        Assert.Equal(0, Of(pending, pool).Last().Value);
        workers.RecordObservableInstruments();
        Assert.InRange(Of(workers, pool).Last().Value, 1, 64); // at least the one that ran the tasks
    }

    [Fact]
    public void Metrics_AStoppedPool_IsNoLongerObserved()
    {
        using var pending = new MetricCollector<long>(null, "ActorPool", "actorpool.tasks.pending");
        var pool = NewPool();
        pending.RecordObservableInstruments();
        Assert.Single(Of(pending, pool));
        pool.Dispose();
        pending.Clear();
        pending.RecordObservableInstruments();
        Assert.Empty(Of(pending, pool));
    }

    [Fact]
    public void Metrics_AListenerThrows_JobsStillReturnTheirResults()
    {
        using var pool = NewPool();
        // It throws for this pool's measurements only: other tests' listeners and pools, in this process, are not touched.
        void ThrowIfOfThisPool(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == PoolInstruments.PoolTag && Equals(tag.Value, pool.Name))
                    throw new InvalidOperationException("listener bug");
            }
        }
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, meterListener) =>
            {
                if (instrument.Meter.Name == PoolInstruments.Name)
                    meterListener.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((Instrument _, long _, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? _) => ThrowIfOfThisPool(tags));
        listener.SetMeasurementEventCallback<double>((Instrument _, double _, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? _) => ThrowIfOfThisPool(tags));
        listener.Start();
        Assert.Equal([2, 3, 4], pool.MapAsync(Func, [1, 2, 3], chunkSize: 1).Get(Limit));
        Assert.Equal(2, pool.ApplyAsync(Func, 1).Get(Limit));
        Assert.Throws<InvalidOperationException>(() => pool.MapAsync(Fail, [3]).Get(Limit)); // a failure stays the task's
        Assert.Equal([2, 3], pool.IMap(Func, [1, 2]).ToList());
    }

    [Fact]
    public void Tracing_AListenerThrows_JobsStillReturnTheirResults_AndTheCallersActivityStays()
    {
        using var pool = NewPool();
        // This test's own trace: the listener throws for its activities only, so that the other
        // tests' listeners and pools, in this process, are not touched.
        using var caller = new Activity("caller").Start();
        var trace = caller.TraceId;
        var throwIn = "";
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ActorPool",
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.TraceId != trace ? ActivitySamplingResult.None
                : throwIn == "sample" ? throw new InvalidOperationException("listener bug in Sample")
                : ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity =>
            {
                if (activity.TraceId == trace && (throwIn == "job start" && activity.OperationName != "actorpool.chunk"
                                                  || throwIn == "chunk start" && activity.OperationName == "actorpool.chunk"))
                    throw new InvalidOperationException("listener bug in ActivityStarted");
            },
            ActivityStopped = activity =>
            {
                if (activity.TraceId == trace && throwIn == "stop")
                    throw new InvalidOperationException("listener bug in ActivityStopped");
            },
        };
        ActivitySource.AddActivityListener(listener);
        foreach (var where in new[] { "sample", "job start", "chunk start", "stop" })
        {
            throwIn = where;
            Assert.Equal([2, 3, 4], pool.MapAsync(Func, [1, 2, 3], chunkSize: 1).Get(Limit));
            // A later job's tasks, outside this trace, run under no activity of it that a failed stop
            // left current on their worker's thread.
            Activity.Current = null;
            Assert.All(pool.Map(TraceOfTask, [1, 2, 3, 4], chunkSize: 1), seen => Assert.NotEqual(trace.ToHexString(), seen));
            Activity.Current = caller;
            Assert.Equal(2, pool.ApplyAsync(Func, 1).Get(Limit));
            Assert.Throws<InvalidOperationException>(() => pool.MapAsync(Fail, [3]).Get(Limit)); // a failure stays the task's
            Assert.Same(caller, Activity.Current);
        }
    }

    [Fact]
    public void Tracing_EveryJobKind_IsAnActivityThatEndsBeforeItsResult_AndItsTasksRunInItsTrace()
    {
        using var recorder = new ActivityRecorder();
        using var pool = NewPool();
        using var caller = new Activity("caller").Start();

        var traces = pool.Map(TraceOfTask, Enumerable.Range(0, 6), chunkSize: 2);
        var map = Assert.Single(recorder.JobsOf(pool));
        Assert.Equal("actorpool.map", map.OperationName);
        Assert.Equal(caller.SpanId, map.ParentSpanId); // a child of the caller's activity...
        Assert.Same(caller, Activity.Current); // ...which stays the caller's current one
        Assert.All(traces, trace => Assert.Equal(map.TraceId.ToHexString(), trace)); // wherever the tasks ran

        pool.StarMap(FuncApply, [(1, 2)]);
        pool.IMap(Func, [1]).ToList();
        pool.IMapUnordered(Func, [1]).ToList();
        Assert.Equal(2, pool.Apply(Func, 1));
        Assert.Equal(2, pool.ApplyAsync(Func, 1).Get(Limit));
        Assert.Throws<InvalidOperationException>(() => pool.Map(Fail, [3]));
        // Each job's activity has stopped by the time its caller has the result (a stream's, its end).
        Assert.Equal(
            ["actorpool.apply", "actorpool.apply", "actorpool.imap", "actorpool.imap_unordered", "actorpool.map", "actorpool.starmap"],
            recorder.JobsOf(pool).Skip(1).Select(job => job.OperationName).Order().ToArray());
        var failed = recorder.JobsOf(pool).Last();
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Contains("item 3 is bad", failed.StatusDescription);
    }

    internal static int Twice(int x) => x * 2;

    [Fact]
    public void Board_Watched_ListsEveryWorkerWhereItRuns_AndCountsTheItemsEachRan()
    {
        using var pool = NewPool();
        var board = pool.Telemetry.Board;
        using var watch = board.Watch();

        Assert.Equal(Enumerable.Range(0, 40).Select(Twice), pool.Map(Twice, Enumerable.Range(0, 40), chunkSize: 2));
        // In another process, a worker's word that its batch is done may come after the results,
        // and so may its word on a batch whose items were all taken back (the board holds it, empty, till then).
        Assert.True(SpinWait.SpinUntil(() => board.Workers() is var all && all.Sum(worker => worker.Completed) == 40 && all.All(worker => worker.State == "idle"), Limit),
            $"The workers ran {board.Workers().Sum(worker => worker.Completed)} items by the board, not 40, or one is still busy.");

        var workers = board.Workers();
        Assert.NotEmpty(workers);
        Assert.Equal(workers.Count, workers.Select(worker => worker.Id).Distinct().Count());
        Assert.All(workers, worker =>
        {
            Assert.Equal("idle", worker.State);
            Assert.Null(worker.Current);
            if (worker.Node == "local")
                Assert.Matches("^worker-[0-9]+$", worker.Id);
            else
                Assert.StartsWith(worker.Node + "/", worker.Id);
        });
        var cursor = 0L;
        var stretches = board.StretchesSince(ref cursor);
        Assert.Equal(40, stretches.Sum(stretch => stretch.Items));
        Assert.All(stretches, stretch => Assert.Contains(workers, worker => worker.Id == stretch.Worker));
    }

    internal static async Task<int> FailTwiceAsync(int x)
    {
        await Task.Yield();
        return FailTwice(x);
    }

    [Fact]
    public void Retries_AreCountedForEachJob_AndAlertedChunkByChunkOnTheBoard()
    {
        using var pool = NewPool();
        var board = pool.Telemetry.Board;
        using var watch = board.Watch();
        var expected = Enumerable.Range(0, 10).Select(x => 10 * x + 3);
        var retries = new JobOptions { Retries = 2 };

        // Three ways items are retried: on the worker's thread, under a timeout on its runner, and as async items.
        Assert.Equal(expected, pool.Map(FailTwice, Enumerable.Range(0, 10), chunkSize: 3, options: retries));
        Assert.Equal(expected, pool.Map(FailTwice, Enumerable.Range(0, 10), chunkSize: 3, options: new JobOptions { Retries = 2, TaskTimeout = Limit }));
        Assert.Equal(expected, pool.Map(FailTwiceAsync, Enumerable.Range(0, 10), chunkSize: 3, options: retries));

        var jobs = pool.Telemetry.Jobs();
        Assert.Equal([20L, 20L, 20L], jobs.Select(job => job.Retries));
        var cursor = 0L;
        var alerts = board.AlertsSince(ref cursor).Where(alert => alert.Kind == AlertKind.Retry).Select(alert => alert.Text).ToList();
        var chunkRetries = new[] { 6, 6, 6, 2 };
        Assert.Equal(
            jobs.Reverse().SelectMany(job => chunkRetries.Select((n, chunk) => $"{job.Describe()}: {n} retries in chunk {chunk}")).Order(),
            alerts.Order());
    }
}
