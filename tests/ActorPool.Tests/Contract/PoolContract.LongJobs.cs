using System.Collections.Concurrent;
using System.Diagnostics;

namespace ActorPool.Tests.Contract;

/// <summary>Retries and cancellation: the long-job options, on every routing strategy and deployment.</summary>
public abstract partial class PoolContract
{
    /// <summary>Fails on its first two attempts, saying which, and returns 10x + the attempt on the third.</summary>
    internal static int FailTwice(int x) =>
        PoolContext.Attempt < 3 ? throw new InvalidOperationException($"item {x} attempt {PoolContext.Attempt}") : 10 * x + PoolContext.Attempt;

    /// <summary>On its first attempt, an even item times out and an odd one is invalid; later attempts return the item.</summary>
    internal static int TimeoutIfEvenInvalidIfOdd(int x) => PoolContext.Attempt > 1 ? x
        : x % 2 == 0 ? throw new TimeoutException($"item {x} timed out") : throw new InvalidOperationException($"item {x} is invalid");

    internal static bool OnlyTimeouts(Exception error) => error is TimeoutException;

    internal static bool RetryIfThrows(Exception error) => throw new NotSupportedException("the predicate broke");

    [Fact]
    public void Map_ItemsFailTwiceWithTwoRetries_EachReturnsItsThirdAttempt()
    {
        using var pool = NewPool();
        var results = pool.Map(FailTwice, Enumerable.Range(0, 20), chunkSize: 3, options: new JobOptions { Retries = 2 });
        Assert.Equal(Enumerable.Range(0, 20).Select(x => 10 * x + 3), results);
    }

    [Fact]
    public void Map_RetriesRunOut_ThrowsTheLastAttemptsError()
    {
        using var pool = NewPool();
        var error = Assert.Throws<InvalidOperationException>(() => pool.Map(FailTwice, [1, 2, 3], options: new JobOptions { Retries = 1 }));
        Assert.EndsWith("attempt 2", error.Message);
    }

    [Fact]
    public void IMap_RetryIf_RetriesOnlyWhatItAccepts()
    {
        using var pool = NewPool();
        var results = pool.IMap(TimeoutIfEvenInvalidIfOdd, Enumerable.Range(0, 6), chunkSize: 2,
            options: new JobOptions { Retries = 3, RetryIf = OnlyTimeouts });
        for (var x = 0; x < 6; x++)
        {
            if (x % 2 == 0)
                Assert.Equal(x, results.Next(Limit)); // a timeout, retried
            else
                Assert.Equal($"item {x} is invalid", Assert.Throws<InvalidOperationException>(() => results.Next(Limit)).Message); // not retried
        }
    }

    [Fact]
    public void Apply_RetryIfThrows_TheTaskFailsWithWhatItThrew()
    {
        using var pool = NewPool();
        var error = Assert.Throws<NotSupportedException>(() => pool.Apply(FailTwice, 1, new JobOptions { Retries = 2, RetryIf = RetryIfThrows }));
        Assert.Equal("the predicate broke", error.Message);
    }

    private static readonly ConcurrentDictionary<string, long> s_lastAttempt = new();
    private static readonly ConcurrentDictionary<string, long> s_firstGap = new();

    /// <summary>Fails on its first two attempts; the third returns the milliseconds between the attempts ("first,second"), measured where it runs.</summary>
    internal static string ReportRetryGaps(string id)
    {
        var now = Stopwatch.GetTimestamp();
        var gap = s_lastAttempt.TryGetValue(id, out var last) ? (long)Stopwatch.GetElapsedTime(last, now).TotalMilliseconds : 0;
        s_lastAttempt[id] = now;
        if (PoolContext.Attempt == 2)
            s_firstGap[id] = gap;
        if (PoolContext.Attempt < 3)
            throw new InvalidOperationException($"attempt {PoolContext.Attempt}");
        return $"{s_firstGap[id]},{gap}";
    }

    [Fact]
    public void Apply_RetryDelay_DoublesBeforeEachRetry()
    {
        using var pool = NewPool();
        var gaps = pool.Apply(ReportRetryGaps, Guid.NewGuid().ToString(), new JobOptions { Retries = 2, RetryDelay = TimeSpan.FromMilliseconds(100) })
            .Split(',').Select(long.Parse).ToArray();
        Assert.True(gaps[0] >= 100, $"The first retry came {gaps[0]} ms after the failure, before its 100 ms delay.");
        Assert.True(gaps[1] >= 200, $"The second retry came {gaps[1]} ms after the failure, before its 200 ms delay.");
    }

    [Fact]
    public void PoolContext_OutsideATask_HasNoTokenAndNoAttempt()
    {
        Assert.Equal(CancellationToken.None, PoolContext.CancellationToken);
        Assert.Equal(0, PoolContext.Attempt);
    }

    /// <summary>
    /// "folder": marks <c>started</c> in the folder, then waits for its task's cancellation token and
    /// marks <c>cancelled</c> when it sees it (or gives up after the test limit).
    /// </summary>
    internal static int WaitForCancellation(string folder)
    {
        // Written aside, then moved into place: a reader that sees "started" reads the whole process id.
        var written = Path.Combine(folder, $"started.{Guid.NewGuid():N}");
        File.WriteAllText(written, Environment.ProcessId.ToString());
        File.Move(written, Path.Combine(folder, "started"));
        if (PoolContext.CancellationToken.WaitHandle.WaitOne(Gate.Limit))
            File.WriteAllText(Path.Combine(folder, "cancelled"), "");
        return 1;
    }

    /// <summary>Waits until the pool's two workers have each started a task that marked <c>ran-x</c>.</summary>
    private static void WaitForTwoRunning(string folder)
    {
        if (!SpinWait.SpinUntil(() => Directory.GetFiles(folder, "ran-*").Length == 2, Limit))
            throw new TimeoutException("The two workers never started a task each.");
    }

    /// <summary>The items whose tasks marked <c>ran-x</c>.</summary>
    private static string[] Ran(string folder) =>
        Directory.GetFiles(folder, "ran-*").Select(file => Path.GetFileName(file)["ran-".Length..]).ToArray();

    private static void WaitForMarker(string folder, string name)
    {
        if (!SpinWait.SpinUntil(() => File.Exists(Path.Combine(folder, name)), Limit))
            throw new TimeoutException($"The task never marked '{name}'.");
    }

    [Fact]
    public void MapAsync_CancelledWhileItsTaskRuns_FailsAtOnceAndTheTaskSeesItsToken()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        using var pool = NewPool();
        using var cancellation = new CancellationTokenSource();
        var result = pool.MapAsync(WaitForCancellation, [folder], chunkSize: 1, cancellationToken: cancellation.Token);
        WaitForMarker(folder, "started");

        cancellation.Cancel();

        Assert.True(result.Ready(), "Cancelling did not fail the result at once.");
        var error = Assert.Throws<OperationCanceledException>(() => result.Get(TimeSpan.Zero));
        Assert.Equal(cancellation.Token, error.CancellationToken);
        WaitForMarker(folder, "cancelled"); // the running task saw its token, wherever it ran
        Assert.Equal([2, 3], pool.Map(Func, [1, 2])); // and the pool goes on
    }

    [Fact]
    public async Task ApplyAsync_Cancelled_FailsWithOperationCanceledAndTheTaskSeesItsToken()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        using var pool = NewPool();
        using var cancellation = new CancellationTokenSource();
        var errorCallback = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = pool.ApplyAsync(WaitForCancellation, folder, errorCallback: error => errorCallback.SetResult(error),
            cancellationToken: cancellation.Token);
        WaitForMarker(folder, "started");

        cancellation.Cancel();

        await Assert.ThrowsAsync<OperationCanceledException>(async () => await result);
        Assert.IsType<OperationCanceledException>(await errorCallback.Task.WaitAsync(Limit));
        WaitForMarker(folder, "cancelled");
    }

    [Fact]
    public void Map_TokenCancelledBeforehand_ThrowsWithoutRunningAnything()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        var pool = NewPool();
        Assert.Throws<OperationCanceledException>(() => pool.Map(WaitForCancellation, [folder], cancellationToken: new CancellationToken(true)));
        Assert.Throws<OperationCanceledException>(() => pool.Apply(WaitForCancellation, folder, cancellationToken: new CancellationToken(true)));
        Assert.Throws<OperationCanceledException>(() => pool.IMap(WaitForCancellation, [folder], cancellationToken: new CancellationToken(true)).Next(Limit));
        pool.Dispose(); // the workers have stopped: nothing can start now
        Assert.False(File.Exists(Path.Combine(folder, "started")));
    }

    private static IEnumerable<int> Endless(Signal disposed)
    {
        try
        {
            for (var i = 0; ; i++)
                yield return i;
        }
        finally
        {
            disposed.Set();
        }
    }

    [Fact]
    public void IMap_Cancelled_ThrowsOperationCanceledWhereTheConsumerIsAndStopsReading()
    {
        using var pool = NewPool();
        using var cancellation = new CancellationTokenSource();
        var inputDisposed = new Signal();
        using var results = pool.IMap(Func, Endless(inputDisposed), cancellationToken: cancellation.Token);
        Assert.Equal([1, 2, 3], new[] { results.Next(Limit), results.Next(Limit), results.Next(Limit) });

        cancellation.Cancel();

        // At once, whatever results are buffered: a slow consumer does not read them first.
        Assert.Throws<OperationCanceledException>(() => results.Next(Limit));
        Assert.Throws<OperationCanceledException>(() => results.Next(Limit));
        inputDisposed.WaitFor(); // the feeder let go of the endless input
    }

    /// <summary>"folder|x": marks <c>ran-x</c>, then waits for its task's cancellation token (or the test limit).</summary>
    internal static int MarkThenWaitForCancellation(string folderAndItem)
    {
        var split = folderAndItem.LastIndexOf('|');
        File.WriteAllText(Path.Combine(folderAndItem[..split], $"ran-{folderAndItem[(split + 1)..]}"), "");
        PoolContext.CancellationToken.WaitHandle.WaitOne(Gate.Limit);
        return 1;
    }

    /// <summary>
    /// "folder|x": returns at once for x = <c>first</c>; else marks <c>ran-x</c>, then waits: throws once <c>fail-x</c> exists, marks
    /// <c>cancelled-x</c> once its task's token is cancelled, and returns once <c>release</c> exists.
    /// </summary>
    internal static int MarkThenWaitToFailOrBeCancelled(string folderAndItem)
    {
        var split = folderAndItem.LastIndexOf('|');
        var (folder, item) = (folderAndItem[..split], folderAndItem[(split + 1)..]);
        if (item == "first")
            return 0; // at once
        File.WriteAllText(Path.Combine(folder, $"ran-{item}"), "");
        var token = PoolContext.CancellationToken;
        SpinWait.SpinUntil(() => token.IsCancellationRequested || File.Exists(Path.Combine(folder, $"fail-{item}")) || File.Exists(Path.Combine(folder, "release")), Gate.Limit);
        if (File.Exists(Path.Combine(folder, $"fail-{item}")))
            throw new InvalidOperationException($"item {item} fails");
        if (token.IsCancellationRequested)
            File.WriteAllText(Path.Combine(folder, $"cancelled-{item}"), "");
        return 1;
    }

    [Fact]
    public void MapAsync_ATaskFails_TheOtherRunningTaskSeesItsTokenCancelledAndTheRestNeverRuns()
    {
        // The job has failed fast: nothing it still runs or holds can change its result.
        using var markers = new TempFolder();
        var folder = markers.Path;
        var pool = NewPool();
        try
        {
            var result = pool.MapAsync(MarkThenWaitToFailOrBeCancelled, Enumerable.Range(0, 40).Select(x => $"{folder}|{x}"), chunkSize: 1);
            WaitForTwoRunning(folder);
            var running = Ran(folder);

            File.WriteAllText(Path.Combine(folder, $"fail-{running[0]}"), "");

            Assert.Equal($"item {running[0]} fails", Assert.Throws<InvalidOperationException>(() => result.Get(Limit)).Message);
            WaitForMarker(folder, $"cancelled-{running[1]}"); // on a node too
            Assert.Equal([2, 3], pool.Map(Func, [1, 2])); // every worker is free again
            pool.Dispose();
            // The failed task's worker may start the next item of its chunk before the failure has
            // gone to the job's coordinator and the cancellation back: one more at most.
            Assert.InRange(Directory.GetFiles(folder, "ran-*").Length, 2, 3);
        }
        finally
        {
            File.WriteAllText(Path.Combine(folder, "release"), ""); // a failed assertion leaves no task waiting out the limit
            pool.Dispose();
        }
    }

    [Fact]
    public void IMap_ConsumerLeaves_ItsRunningTasksSeeTheirTokenCancelledAndTheRestNeverRuns()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        var pool = NewPool();
        try
        {
            var input = new[] { "first" }.Concat(Enumerable.Range(1, 40).Select(x => x.ToString())).Select(x => $"{folder}|{x}");
            using (var results = pool.IMap(MarkThenWaitToFailOrBeCancelled, input, chunkSize: 1))
            {
                Assert.Equal(0, results.Next(Limit));
                WaitForTwoRunning(folder);
            } // as leaving a foreach does
            foreach (var running in Ran(folder))
                WaitForMarker(folder, $"cancelled-{running}"); // on a node too
            Assert.Equal([2, 3], pool.Map(Func, [1, 2])); // every worker is free again
            pool.Dispose();
            Assert.Equal(2, Directory.GetFiles(folder, "ran-*").Length);
        }
        finally
        {
            File.WriteAllText(Path.Combine(folder, "release"), ""); // a failed assertion leaves no task waiting out the limit
            pool.Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    // Four chunks: the items after the first of a running chunk are in a chunk that is running. Two
    // would not do under SmallestMailbox, which scores a worker by its mailbox alone: a worker
    // already running its first chunk can get the second too, and the other worker none.
    // With four, the third finds that worker's mailbox holding the second, and goes to the other.
    [InlineData(10)]
    public void MapAsync_Cancelled_ItsItemsThatHadNotStartedNeverRun(int chunkSize)
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        var pool = NewPool();
        using var cancellation = new CancellationTokenSource();
        // Every task waits for the cancellation: each worker is stuck on its first, with the rest
        // queued in the router or handed to the workers already.
        var result = pool.MapAsync(MarkThenWaitForCancellation, Enumerable.Range(0, 40).Select(x => $"{folder}|{x}"), chunkSize,
            cancellationToken: cancellation.Token);
        WaitForTwoRunning(folder);

        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() => result.Get(Limit));
        Assert.Equal([2, 3], pool.Map(Func, [1, 2])); // every worker is free again
        pool.Dispose();
        Assert.Equal(2, Directory.GetFiles(folder, "ran-*").Length);
    }

    [Fact]
    public void Terminate_RunningTasksSeeTheirTokenCancelled()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        var pool = NewPool();
        var result = pool.MapAsync(WaitForCancellation, [folder], chunkSize: 1);
        WaitForMarker(folder, "started");

        pool.Terminate();

        if (WorkerProcessesEndWithThePool)
        {
            // The pool kills its worker processes once its system has stopped: the task ends with
            // its process, which may come before it can say that its token was cancelled.
            var worker = int.Parse(File.ReadAllText(Path.Combine(folder, "started")));
            Assert.True(SpinWait.SpinUntil(() => File.Exists(Path.Combine(folder, "cancelled")) || ProcessGone(worker), Limit),
                "The running task was neither cancelled nor ended with its process.");
        }
        else
        {
            WaitForMarker(folder, "cancelled"); // on a node too: the router tells the nodes as it stops
        }
        Assert.Throws<PoolTerminatedException>(() => result.Get(Limit));
        pool.Join();
    }

    private static bool ProcessGone(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    [Fact]
    public void BadJobOptions_AreRefusedNamingTheProperty()
    {
        using var pool = NewPool();
        Assert.Equal("options.Retries",
            Assert.Throws<ArgumentOutOfRangeException>(() => pool.Map(Func, [1], options: new JobOptions { Retries = -1 })).ParamName);
        Assert.Equal("options.RetryDelay",
            Assert.Throws<ArgumentOutOfRangeException>(() => pool.ApplyAsync(Func, 1, options: new JobOptions { RetryDelay = TimeSpan.FromMilliseconds(-1) })).ParamName);
        Assert.Equal("options.Retries",
            Assert.Throws<ArgumentOutOfRangeException>(() => pool.IMap(Func, [1], options: new JobOptions { Retries = -2 })).ParamName);
        Assert.Equal("options.TaskTimeout",
            Assert.Throws<ArgumentOutOfRangeException>(() => pool.Map(Func, [1], options: new JobOptions { TaskTimeout = TimeSpan.Zero })).ParamName);
        Assert.Equal("options.TaskTimeout",
            Assert.Throws<ArgumentOutOfRangeException>(() => pool.Apply(Func, 1, new JobOptions { TaskTimeout = TimeSpan.FromSeconds(-1) })).ParamName);
    }
}

/// <summary>Worker terms (Initializer, MaxTasksPerChild) with static functions, so that they hold on every deployment.</summary>
public abstract partial class PoolContract
{
    private static int s_initializations;
    [ThreadStatic] private static int t_incarnation;

    /// <summary>An initializer: numbers the worker's incarnation, in whatever process it runs.</summary>
    internal static void NumberTheIncarnation() => t_incarnation = Interlocked.Increment(ref s_initializations);

    internal static void ThrowingInitializer() => throw new DllNotFoundException("no native library");

    /// <summary>Which incarnation of which process ran the task; ":0" if no initializer ran on its thread.</summary>
    internal static string Incarnation(int x) => $"{Environment.ProcessId}:{t_incarnation}";

    [Fact]
    public void Initializer_RunsBeforeTheFirstTaskOfEveryWorker()
    {
        using var pool = NewPool(NumberTheIncarnation, maxTasksPerChild: null);
        Assert.All(pool.Map(Incarnation, Enumerable.Range(0, 40), chunkSize: 1), incarnation => Assert.DoesNotMatch(":0$", incarnation));
    }

    [Fact]
    public void MaxTasksPerChild_EveryIncarnationRunsTheInitializerAndAtMostThatManyTasks()
    {
        using var pool = NewPool(NumberTheIncarnation, maxTasksPerChild: 2);
        var incarnations = pool.Map(Incarnation, Enumerable.Range(0, 12), chunkSize: 1);
        Assert.Equal(12, incarnations.Count);
        Assert.All(incarnations, incarnation => Assert.DoesNotMatch(":0$", incarnation));
        Assert.All(incarnations.GroupBy(incarnation => incarnation), group => Assert.InRange(group.Count(), 1, 2));
    }

    [Fact]
    public void Initializer_Throws_TheTasksFailWithItsException()
    {
        using var pool = NewPool(ThrowingInitializer, maxTasksPerChild: null);
        Assert.Equal("no native library", Assert.Throws<DllNotFoundException>(() => pool.Map(Func, Enumerable.Range(0, 10))).Message);
        Assert.Throws<DllNotFoundException>(() => pool.Apply(Func, 1));
    }
}
