using System.Collections.Concurrent;

namespace ActorPool.Tests.Contract;

/// <summary>A job's progress reports (<see cref="JobOptions.Progress"/>), on every routing strategy and deployment.</summary>
public abstract partial class PoolContract
{
    /// <summary>Records every report, and whether two ever overlapped or one ran inside a task.</summary>
    private sealed class ProgressRecorder(Action<JobProgress>? onReport = null) : IProgress<JobProgress>
    {
        private int _reporting;

        public ConcurrentQueue<JobProgress> Reports { get; } = new();

        public bool Overlapped { get; private set; }

        public bool RanInATask { get; private set; }

        public JobProgress Last => Reports.Last();

        public void Report(JobProgress value)
        {
            if (Interlocked.Increment(ref _reporting) > 1)
                Overlapped = true;
            if (PoolContext.Attempt != 0)
                RanInATask = true;
            Reports.Enqueue(value);
            onReport?.Invoke(value);
            Interlocked.Decrement(ref _reporting);
        }

        public void AssertWellBehaved()
        {
            Assert.False(Overlapped, "Two progress reports ran at once.");
            Assert.False(RanInATask, "A progress report ran inside a task.");
            var completed = Reports.Select(report => report.Completed).ToArray();
            Assert.Equal(completed.Order(), completed); // counts never go back
        }
    }

    [Fact]
    public void Map_WithProgress_TheLastReportCountsEveryItemBeforeMapReturns()
    {
        using var pool = NewPool();
        var progress = new ProgressRecorder();
        pool.Map(Func, Enumerable.Range(0, 2_000), chunkSize: 10, options: new JobOptions { Progress = progress });
        Assert.Equal(new JobProgress(2_000, 0, 2_000, progress.Last.Elapsed, TimeSpan.Zero), progress.Last);
        progress.AssertWellBehaved();
    }

    [Fact]
    public void MapAsync_FailsFast_TheLastReportCountsTheUnfinishedItemsAsFailed()
    {
        using var pool = NewPool();
        var progress = new ProgressRecorder();
        var result = pool.MapAsync(Fail, Enumerable.Range(0, 100), chunkSize: 5, options: new JobOptions { Progress = progress });
        Assert.Throws<InvalidOperationException>(() => result.Get(Limit));
        var last = progress.Last;
        Assert.Equal(100, last.Total);
        Assert.Equal(100, last.Completed + last.Failed);
        Assert.True(last.Failed >= 1);
        progress.AssertWellBehaved();
    }

    [Fact]
    public void ApplyAsync_WithProgress_ReportsTheTaskBeforeTheResultIsReady()
    {
        using var pool = NewPool();
        var progress = new ProgressRecorder();
        Assert.Equal(2, pool.ApplyAsync(Func, 1, options: new JobOptions { Progress = progress }).Get(Limit));
        Assert.Equal((1L, 0L, (long?)1L), (progress.Last.Completed, progress.Last.Failed, progress.Last.Total));
    }

    private static IEnumerable<int> FirstItemThenWaitFor(Gate gate, int count)
    {
        yield return 0;
        gate.Pass();
        for (var i = 1; i < count; i++)
            yield return i;
    }

    [Fact]
    public void IMap_WithProgress_TotalIsUnknownUntilTheInputEnds()
    {
        using var pool = NewPool();
        var inputGate = new Gate();
        var firstDone = new Signal();
        var progress = new ProgressRecorder(report =>
        {
            if (report.Completed == 1 && report.Total is null)
                firstDone.Set();
        });
        var results = pool.IMap(Func, FirstItemThenWaitFor(inputGate, 50), options: new JobOptions { Progress = progress });

        firstDone.WaitFor(); // a report while the input waits: one item done, the total unknown
        inputGate.Open();

        Assert.Equal(Enumerable.Range(1, 50), results.ToList());
        Assert.Equal((50L, 0L, (long?)50L), (progress.Last.Completed, progress.Last.Failed, progress.Last.Total));
        progress.AssertWellBehaved();
    }

    private sealed class ThrowingProgress : IProgress<JobProgress>
    {
        public int Calls;

        public void Report(JobProgress value)
        {
            Interlocked.Increment(ref Calls);
            throw new InvalidOperationException("the progress bar broke");
        }
    }

    [Fact]
    public void Map_ProgressThatThrows_ChangesNothingElse()
    {
        using var pool = NewPool();
        var progress = new ThrowingProgress();
        Assert.Equal([2, 3, 4], pool.Map(Func, [1, 2, 3], options: new JobOptions { Progress = progress }));
        Assert.True(progress.Calls >= 1);
    }
}
