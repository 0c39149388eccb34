using System.Collections.Concurrent;

namespace ActorPool.Tests.Contract;

/// <summary>Functions that return <c>Task&lt;TResult&gt;</c>: awaited by their workers, on every routing strategy and deployment.</summary>
public abstract partial class PoolContract
{
    internal static async Task<int> DoubleLater(int x)
    {
        await Task.Yield(); // the rest runs on the thread pool, not on the worker's thread
        return 2 * x;
    }

    [Fact]
    public void Map_AsyncFunction_ReturnsTheAwaitedValuesInOrder()
    {
        using var pool = NewPool();
        IReadOnlyList<int> results = pool.Map(DoubleLater, Enumerable.Range(0, 200), chunkSize: 7);
        Assert.Equal(Enumerable.Range(0, 200).Select(x => 2 * x), results);
    }

    [Fact]
    public void IMapAndStarMap_AsyncLambdas_ReturnTheAwaitedValues()
    {
        using var pool = NewPool();
        Assert.Equal([1, 2, 3], pool.IMap(async x => { await Task.Yield(); return x + 1; }, [0, 1, 2]).ToList());
        Assert.Equal([1, 2, 3], pool.IMapUnordered(async x => { await Task.Yield(); return x + 1; }, [0, 1, 2]).ToList().Order());
        Assert.Equal([3, 7], pool.StarMap(async (a, b) => { await Task.Yield(); return a + b; }, [(1, 2), (3, 4)]));
    }

    [Fact]
    public async Task StarMap_AsyncFunctionsOfTriplesAndQuadruples_ReturnTheAwaitedValuesInOrder()
    {
        using var pool = NewPool();
        Assert.Equal([6, 15], pool.StarMap(async (a, b, c) => { await Task.Yield(); return a + b + c; }, [(1, 2, 3), (4, 5, 6)]));
        Assert.Equal([10, 26], pool.StarMap(async (a, b, c, d) => { await Task.Yield(); return a + b + c + d; }, [(1, 2, 3, 4), (5, 6, 7, 8)]));
        Assert.Equal(["x1", "y2"], await pool.StarMapAsync(async (a, b, c) => { await Task.Yield(); return a + (b + c); }, [("x", 1, 0), ("y", 1, 1)], chunkSize: 1));
        Assert.Equal(["a3", "b7"], await pool.StarMapAsync(async (a, b, c, d) => { await Task.Yield(); return $"{a}{b + c * d}"; },
            [('a', 1, 1, 2), ('b', 1, 2, 3)], chunkSize: 1));
        var error = Assert.Throws<FormatException>(() => pool.StarMap(async (a, b, c, d) =>
        {
            await Task.Yield();
            return a == 2 ? throw new FormatException($"quadruple {a} failed after an await") : a + b + c + d;
        }, [(1, 0, 0, 0), (2, 0, 0, 0)]));
        Assert.Equal("quadruple 2 failed after an await", error.Message);
    }

    [Fact]
    public async Task ApplyAsync_AsyncLambdaWithCallback_AwaitsItAndCallsBackWithTheValue()
    {
        using var pool = NewPool();
        var called = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = pool.ApplyAsync(async (a, b) => { await Task.Yield(); return a * b; }, 6, 7, callback: value => called.SetResult(value));
        Assert.Equal(42, await result);
        Assert.Equal(42, await called.Task.WaitAsync(Limit));
        Assert.Equal("x!", pool.Apply(async () => { await Task.Yield(); return "x!"; }));
        object? seen = null;
        pool.ApplyAsync(async () => { await Task.Yield(); return 5; }, callback: value => seen = value).Get(Limit);
        Assert.Equal(5, seen); // the async form, whose callback takes the value, not its task
    }

    internal static async Task<int> FailAfterAwait(int x)
    {
        await Task.Yield();
        throw new InvalidOperationException($"item {x} failed after an await");
    }

    [Fact]
    public void Apply_AsyncFunctionFailsAfterAnAwait_ThrowsItsException()
    {
        using var pool = NewPool();
        var error = Assert.Throws<InvalidOperationException>(() => pool.Apply(FailAfterAwait, 5));
        Assert.Equal("item 5 failed after an await", error.Message);
    }

    private static readonly ConcurrentDictionary<string, CountdownEvent> s_started = new();

    /// <summary>"id|count": waits until <c>count</c> items of the test <c>id</c> have started in this process, then returns how many it waited for.</summary>
    internal static async Task<int> WaitForTheOthers(string idAndCount)
    {
        var count = int.Parse(idAndCount[(idAndCount.IndexOf('|') + 1)..]);
        var started = s_started.GetOrAdd(idAndCount, _ => new CountdownEvent(count));
        started.Signal();
        await Task.Run(() => started.Wait(Gate.Limit) ? 0 : throw new TimeoutException("The items of the chunk did not run at once."));
        return count;
    }

    [Fact]
    public void Map_AsyncItemsOfOneChunk_RunAtOnce()
    {
        using var pool = NewPool();
        // One chunk of four items: on one worker, each waits until all four have started.
        var id = $"{Guid.NewGuid():N}|4";
        Assert.Equal([4, 4, 4, 4], pool.Map(WaitForTheOthers, Enumerable.Repeat(id, 4), chunkSize: 4));
    }

    internal static async Task<string> ContextAfterAwait(int x)
    {
        await Task.Yield();
        if (PoolContext.Attempt < 2)
            throw new InvalidOperationException("first attempt");
        await Task.Yield();
        return $"{x}:{PoolContext.Attempt}:{PoolContext.CancellationToken.CanBeCanceled}";
    }

    [Fact]
    public void Map_AsyncFunction_PoolContextFlowsAcrossAwaitsAndRetries()
    {
        using var pool = NewPool();
        Assert.Equal(["0:2:True", "1:2:True"], pool.Map(ContextAfterAwait, [0, 1], chunkSize: 2, options: new JobOptions { Retries = 1 }));
    }

    internal static ValueTask<int> ValueTaskDouble(int x) => ValueTask.FromResult(2 * x);

    [Fact]
    public void Map_FunctionReturningAValueTask_IsRefusedNamingFunc()
    {
        using var pool = NewPool();
        Assert.Equal("func", Assert.Throws<ArgumentException>(() => pool.Map<int, ValueTask<int>>(ValueTaskDouble, [1])).ParamName);
        Assert.Equal([2], pool.Map(x => ValueTaskDouble(x).AsTask(), [1]));
    }

    /// <summary>"folder": marks <c>started</c>, then awaits its token, and marks <c>cancelled</c> when it fires.</summary>
    internal static async Task<int> AwaitCancellation(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "started"), "");
        try
        {
            await Task.Delay(Gate.Limit, PoolContext.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            File.WriteAllText(Path.Combine(folder, "cancelled"), "");
        }
        return 1;
    }

    [Fact]
    public void ApplyAsync_AsyncFunctionCancelled_ItsTokenFiresAfterItsAwait()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        using var pool = NewPool();
        using var cancellation = new CancellationTokenSource();
        var result = pool.ApplyAsync(AwaitCancellation, folder, cancellationToken: cancellation.Token);
        WaitForMarker(folder, "started");
        cancellation.Cancel();
        Assert.Throws<OperationCanceledException>(() => result.Get(Limit));
        WaitForMarker(folder, "cancelled");
    }
}
