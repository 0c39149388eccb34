using System.Collections.Concurrent;

namespace ActorPool.Tests.Contract;

/// <summary>Task timeouts: a task that hangs, ignoring its token, fails alone and does not keep its worker, on every routing strategy and deployment.</summary>
public abstract partial class PoolContract
{
    /// <summary>Short enough for the suite, long enough that no item that does not hang comes near it.</summary>
    protected static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(300);

    /// <summary>Never set: a task that waits on it hangs for good, whatever its token says.</summary>
    private static readonly ManualResetEventSlim s_never = new();

    internal static int HangIfThree(int x)
    {
        if (x == 3)
            s_never.Wait();
        return x + 1;
    }

    internal static int HangForever(int x)
    {
        s_never.Wait();
        return x;
    }

    private static readonly ConcurrentDictionary<string, ManualResetEventSlim> s_sawToken = new();

    /// <summary>
    /// Attempt 1 waits for its token, notes that it was cancelled, and hangs on regardless; attempt 2
    /// (the retry, in the same process) waits for that note and returns what it read there.
    /// </summary>
    internal static string HangOnceThenReportTheToken(string id)
    {
        var saw = s_sawToken.GetOrAdd(id, _ => new ManualResetEventSlim());
        if (PoolContext.Attempt == 1)
        {
            PoolContext.CancellationToken.WaitHandle.WaitOne();
            saw.Set();
            s_never.Wait();
        }
        return saw.Wait(Limit) ? $"attempt {PoolContext.Attempt}: attempt 1 saw its token cancelled" : "attempt 1 never saw its token cancelled";
    }

    internal static async Task<int> AwaitForever(int x)
    {
        await new TaskCompletionSource<int>().Task;
        return x;
    }

    internal static async Task<int> BlockBeforeAwaitingIfThree(int x)
    {
        if (x == 3)
            s_never.Wait();
        await Task.Yield();
        return x + 1;
    }

    [Fact]
    public void Map_ItemHangsPastItsTaskTimeout_FailsWithTimeoutException()
    {
        using var pool = NewPool();
        // MapAsync and a bounded wait, not Map: a timeout that never fired would hang the suite.
        var result = pool.MapAsync(HangIfThree, Enumerable.Range(0, 10), chunkSize: 2, options: new JobOptions { TaskTimeout = ShortTimeout });
        Assert.True(result.Wait(Limit), "The task's timeout never fired.");
        var error = Assert.Throws<TimeoutException>(() => result.Get());
        Assert.Contains("TaskTimeout", error.Message);
    }

    [Fact]
    public void IMap_ItemTimesOut_ThrowsAtItsPlaceAndGoesOn()
    {
        using var pool = NewPool();
        AssertItemThreeTimesOutAndTheOthersReturn(
            pool.IMap(HangIfThree, Enumerable.Range(0, 8), chunkSize: 3, options: new JobOptions { TaskTimeout = ShortTimeout }), 8);
    }

    /// <summary>Reads <paramref name="count"/> results of x + 1 in order: item 3 throws its timeout, the others return.</summary>
    private static void AssertItemThreeTimesOutAndTheOthersReturn(PoolIterator<int> results, int count)
    {
        for (var x = 0; x < count; x++)
        {
            if (x == 3)
                Assert.Throws<TimeoutException>(() => results.Next(Limit));
            else
                Assert.Equal(x + 1, results.Next(Limit));
        }
    }

    [Fact]
    public void Apply_HungAttemptRetried_ItsTokenWasCancelledAtTheTimeoutAndTheRetryAnswers()
    {
        using var pool = NewPool();
        var answer = pool.ApplyAsync(HangOnceThenReportTheToken, Guid.NewGuid().ToString(), options: new JobOptions { TaskTimeout = ShortTimeout, Retries = 1 })
            .Get(Limit);
        Assert.Equal("attempt 2: attempt 1 saw its token cancelled", answer);
    }

    [Fact]
    public void TaskTimeout_EveryWorkerHung_LaterJobsStillRunOnEveryWorker()
    {
        using var pool = NewPool();
        // Four hung items: both workers hang at least once (each takes one of the first two).
        var hung = pool.IMapUnordered(HangForever, Enumerable.Range(0, 4), chunkSize: 1, options: new JobOptions { TaskTimeout = ShortTimeout });
        for (var i = 0; i < 4; i++)
            Assert.Throws<TimeoutException>(() => hung.Next(Limit));
        // A worker still held by its hung thread would leave this job's chunks for it unanswered.
        Assert.Equal(Enumerable.Range(1, 100), pool.MapAsync(Func, Enumerable.Range(0, 100), chunkSize: 1).Get(Limit));
    }

    [Fact]
    public void MapAsync_AsyncFunctionNeverCompletes_FailsWithTimeoutException()
    {
        using var pool = NewPool();
        var result = pool.MapAsync(AwaitForever, Enumerable.Range(0, 4), options: new JobOptions { TaskTimeout = ShortTimeout });
        Assert.True(result.Wait(Limit));
        Assert.Throws<TimeoutException>(() => result.Get());
    }

    [Fact]
    public void Map_AsyncFunctionBlocksBeforeItsFirstAwait_TimesOutAloneAndTheOthersReturn()
    {
        using var pool = NewPool();
        AssertItemThreeTimesOutAndTheOthersReturn(
            pool.IMap(BlockBeforeAwaitingIfThree, Enumerable.Range(0, 6), chunkSize: 6, options: new JobOptions { TaskTimeout = ShortTimeout }), 6);
    }
}

/// <summary>Stragglers: work a busy worker has not started is taken back for an idle one (work-pulling routing, every deployment of it).</summary>
public abstract partial class PoolContract
{
    /// <summary>
    /// "folder|item": item 0 marks "blocked" and waits for the "open" marker in the folder; the
    /// others wait for "blocked", then return their item.
    /// </summary>
    internal static int FirstWaitsForOpen(string argument)
    {
        var (folder, item) = (argument[..argument.LastIndexOf('|')], int.Parse(argument[(argument.LastIndexOf('|') + 1)..]));
        if (item == 0)
        {
            File.WriteAllText(Path.Combine(folder, "blocked"), "");
            WaitForMarker(folder, "open");
        }
        else
        {
            WaitForMarker(folder, "blocked");
        }
        return item;
    }

    /// <summary>
    /// Item 0 blocks its worker until every other item has come back: those sent to that worker
    /// with it, in its batch or the next, must have been taken back and run by the other one.
    /// No other item returns before item 0 is running (they wait for its marker): a worker that
    /// had claimed item 0 but not yet begun it could otherwise see the other worker finish all
    /// 39 first, and nothing would then have been taken back from behind a running task.
    /// </summary>
    protected void AssertTheWorkBehindALongTaskRunsElsewhere()
    {
        using var markers = new TempFolder();
        using var pool = NewPool();
        var results = pool.IMapUnordered(FirstWaitsForOpen, Enumerable.Range(0, 40).Select(item => $"{markers.Path}|{item}"), chunkSize: 1);
        var others = new List<int>();
        for (var i = 0; i < 39; i++)
            others.Add(results.Next(Limit));
        Assert.Equal(Enumerable.Range(1, 39), others.Order());
        File.WriteAllText(Path.Combine(markers.Path, "open"), "");
        Assert.Equal(0, results.Next(Limit));
    }
}

/// <summary>Speculation: a straggling chunk of a speculative job gets a copy on an idle worker; the first result wins.</summary>
public abstract partial class PoolContract
{
    /// <summary>
    /// "folder|item": the first run of item 0 (whichever process makes the "first" marker) waits for
    /// its token, marks "loser-cancelled" when it sees it, and returns -1; any other run returns the item.
    /// </summary>
    internal static int StragglesOnce(string argument)
    {
        var (folder, item) = (argument[..argument.LastIndexOf('|')], int.Parse(argument[(argument.LastIndexOf('|') + 1)..]));
        if (item != 0)
            return item;
        try
        {
            using (new FileStream(Path.Combine(folder, "first"), FileMode.CreateNew))
            {
            }
        }
        catch (IOException)
        {
            return 0; // the copy
        }
        if (PoolContext.CancellationToken.WaitHandle.WaitOne(Limit))
            File.WriteAllText(Path.Combine(folder, "loser-cancelled"), "");
        return -1;
    }

    /// <summary>Item 0's first run never ends on its own: only a copy can answer for it, and the first run's token must be cancelled.</summary>
    protected void AssertAStragglerIsRunAgainAndTheLoserCancelled()
    {
        using var markers = new TempFolder();
        using var pool = NewPool();
        var results = pool.MapAsync(StragglesOnce, Enumerable.Range(0, 20).Select(item => $"{markers.Path}|{item}"), chunkSize: 1,
            options: new JobOptions { Speculative = true }).Get(Limit);
        Assert.Equal(Enumerable.Range(0, 20), results);
        WaitForMarker(markers.Path, "loser-cancelled");
    }
}
