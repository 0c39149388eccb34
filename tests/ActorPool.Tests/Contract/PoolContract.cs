using System.Collections.Concurrent;
using ActorPool.Configuration;

namespace ActorPool.Tests.Contract;

/// <summary>
/// The behaviour every pool owes its users, whatever its routing strategy and deployment. Each
/// concrete subclass runs the whole suite against one configuration. Functions here are static
/// (or capture nothing) so that the suite also runs where workers are other processes.
/// </summary>
public abstract partial class PoolContract
{
    protected static readonly TimeSpan Limit = Gate.Limit;

    /// <summary>A new pool in the configuration under test, with 2 worker processes' worth of parallelism.</summary>
    protected abstract Pool NewPool();

    /// <summary>Whether the pool's workers are processes of its own, which end when it terminates (LocalProcesses).</summary>
    protected virtual bool WorkerProcessesEndWithThePool => false;

    /// <summary>The same, with a journal for durable jobs at <paramref name="journalPath"/> (null: none).</summary>
    protected abstract Pool NewDurablePool(string? journalPath);

    /// <summary>The same, with these worker terms.</summary>
    protected abstract Pool NewPool(Action? initializer, int? maxTasksPerChild);

    internal static int Func(int x) => x + 1;

    internal static int FuncApply(int x, int y) => x + y;

    internal static int Fail(int x) =>
        x == 3 ? throw new InvalidOperationException($"item {x} is bad") : x + 1;

    private static IEnumerable<int> InputThatThrowsAfter(int count)
    {
        for (var i = 0; i < count; i++)
            yield return i;
        throw new FormatException("input broke");
    }

    // ---- map / map_async / starmap ----

    [Fact]
    public void Map_NotebookQueries_ReturnsResultsInInputOrder()
    {
        using var pool = NewPool();
        Assert.Equal([2, 3, 4, 5], pool.Map(Func, [1, 2, 3, 4]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100_000)]
    public void Map_ManyItemsAnyChunkSize_ReturnsEveryResultOnceInOrder(int? chunkSize)
    {
        using var pool = NewPool();
        var input = Enumerable.Range(0, 10_000).ToList();
        Assert.Equal(input.Select(Func), pool.Map(Func, input, chunkSize));
    }

    [Fact]
    public void Map_CovariantArrayInput_ReturnsEveryResult()
    {
        using var pool = NewPool();
        // A string[] seen as IEnumerable<object>: its runtime type is not object[], the T of the call.
        IEnumerable<object> covariant = new[] { "a", "b", "c" };
        Assert.Equal(["a!", "b!", "c!"], pool.Map<object, string>(ExclaimObject, covariant));
    }

    internal static string ExclaimObject(object text) => text + "!";

    [Fact]
    public void Map_EmptyInput_ReturnsEmptyList()
    {
        using var pool = NewPool();
        Assert.Empty(pool.Map(Func, Array.Empty<int>()));
        Assert.True(pool.MapAsync(Func, Array.Empty<int>()).Ready());
    }

    [Fact]
    public void Map_WorkerThrows_RethrowsOriginalException()
    {
        using var pool = NewPool();
        var error = Assert.Throws<InvalidOperationException>(() => pool.Map(Fail, Enumerable.Range(0, 100), chunkSize: 5));
        Assert.Equal("item 3 is bad", error.Message);
        Assert.Contains(nameof(Fail), error.StackTrace); // the worker's frame is visible
    }

    [Fact]
    public void Map_InputThrows_ThrowsTheInputsException()
    {
        using var pool = NewPool();
        var error = Assert.Throws<FormatException>(() => pool.Map(Func, InputThatThrowsAfter(5)));
        Assert.Equal("input broke", error.Message);
    }

    [Fact]
    public void MapAsync_Succeeds_CallsCallbackOnceBeforeGetReturns()
    {
        using var pool = NewPool();
        var calls = new ConcurrentQueue<IReadOnlyList<int>>();
        var errors = new ConcurrentQueue<Exception>();
        var result = pool.MapAsync(Func, [1, 2, 3, 4], callback: calls.Enqueue, errorCallback: errors.Enqueue);
        Assert.Equal([2, 3, 4, 5], result.Get(Limit));
        Assert.Equal([2, 3, 4, 5], Assert.Single(calls));
        Assert.Empty(errors);
        Assert.True(result.Successful());
    }

    [Fact]
    public void MapAsync_WorkerThrows_CallsErrorCallbackOnceAndNeverCallback()
    {
        using var pool = NewPool();
        var calls = new ConcurrentQueue<IReadOnlyList<int>>();
        var errors = new ConcurrentQueue<Exception>();
        var result = pool.MapAsync(Fail, Enumerable.Range(0, 50), chunkSize: 1, callback: calls.Enqueue, errorCallback: errors.Enqueue);
        Assert.True(result.Wait(Limit));
        Assert.False(result.Successful());
        Assert.IsType<InvalidOperationException>(Assert.Single(errors));
        Assert.Empty(calls);
        Assert.Throws<InvalidOperationException>(() => result.Get());
    }

    [Fact]
    public void MapAsync_CallbackThrows_PoolCarriesOn()
    {
        using var pool = NewPool();
        var result = pool.MapAsync(Func, [1, 2], callback: _ => throw new InvalidCastException("callback bug"));
        Assert.Equal([2, 3], result.Get(Limit));
        Assert.Equal([2, 3, 4, 5], pool.Map(Func, [1, 2, 3, 4]));
    }

    [Fact]
    public async Task MapAsync_Awaited_ReturnsResults()
    {
        await using var pool = NewPool();
        Assert.Equal([2, 3, 4, 5], await pool.MapAsync(Func, [1, 2, 3, 4]));
        Assert.Equal([2, 3], await pool.MapAsync(Func, [1, 2]).AsTask());
    }

    [Fact]
    public void StarMap_Pairs_AppliesEachPairInOrder()
    {
        using var pool = NewPool();
        (int, int)[] pairs = [(1, 5), (2, 5), (3, 5), (4, 5)];
        Assert.Equal([6, 7, 8, 9], pool.StarMap<int, int, int>(FuncApply, pairs));
        Assert.Equal([6, 7, 8, 9], pool.StarMapAsync<int, int, int>(FuncApply, pairs, chunkSize: 1).Get(Limit));
    }

    internal static int Digits(int a, int b, int c) => 100 * a + 10 * b + c;

    /// <summary>Four arguments of four types, so that each travels to other processes as its own parameter's type.</summary>
    internal static string Describe(int a, string b, long c, bool d) => $"{a}{b}{c}{(d ? "!" : "?")}";

    internal static int FailAtThree(int a, int b, int c) =>
        a == 3 ? throw new InvalidOperationException($"triple {a} is bad") : a + b + c;

    internal static int FailAtFour(int a, int b, int c, int d) =>
        a == 4 ? throw new ArgumentException($"quadruple {a} is bad", nameof(a)) : a + b + c + d;

    [Fact]
    public void StarMap_TriplesAndQuadruples_ApplyTheFunctionToEachTupleInOrder()
    {
        using var pool = NewPool();
        var triples = Enumerable.Range(0, 40).Select(x => (x % 10, (x + 1) % 10, (x + 2) % 10)).ToList();
        var expected = triples.Select(t => Digits(t.Item1, t.Item2, t.Item3)).ToList();
        Assert.Equal(expected, pool.StarMap(Digits, triples, chunkSize: 3));
        Assert.Equal(expected, pool.StarMapAsync(Digits, triples, chunkSize: 1).Get(Limit));

        (int, string, long, bool)[] quadruples = [(1, "a", 10L, true), (2, "b", 20L, false), (3, "c", long.MaxValue, true)];
        Assert.Equal(["1a10!", "2b20?", $"3c{long.MaxValue}!"], pool.StarMap(Describe, quadruples));
        Assert.Equal(["1a10!", "2b20?", $"3c{long.MaxValue}!"], pool.StarMapAsync(Describe, quadruples, chunkSize: 1).Get(Limit));
    }

    [Fact]
    public void StarMap_TripleOrQuadrupleWorkerThrows_RethrowsOriginalException()
    {
        using var pool = NewPool();
        var error = Assert.Throws<InvalidOperationException>(() => pool.StarMap(FailAtThree, Enumerable.Range(0, 20).Select(x => (x, 0, 0)), chunkSize: 5));
        Assert.Equal("triple 3 is bad", error.Message);
        Assert.Contains(nameof(FailAtThree), error.StackTrace); // the worker's frame is visible

        var errors = new ConcurrentQueue<Exception>();
        var result = pool.StarMapAsync(FailAtFour, Enumerable.Range(0, 20).Select(x => (x, 1, 2, 3)), chunkSize: 1, errorCallback: errors.Enqueue);
        Assert.True(result.Wait(Limit));
        Assert.False(result.Successful());
        var failed = Assert.IsType<ArgumentException>(Assert.Single(errors));
        Assert.Equal("a", failed.ParamName);
        Assert.StartsWith("quadruple 4 is bad", failed.Message);
        Assert.Throws<ArgumentException>(() => result.Get());
    }

    // ---- imap / imap_unordered ----

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void IMap_YieldsResultsInInputOrder(int chunkSize)
    {
        using var pool = NewPool();
        Assert.Equal(Enumerable.Range(1, 100), pool.IMap(Func, Enumerable.Range(0, 100), chunkSize).ToList());
    }

    [Fact]
    public void IMap_NotebookQueries_NextReturnsEachThenThrowsAtEnd()
    {
        using var pool = NewPool();
        var results = pool.IMap(Func, [1, 2, 3, 4]);
        Assert.Equal([2, 3, 4, 5], new[] { results.Next(Limit), results.Next(Limit), results.Next(Limit), results.Next(Limit) });
        Assert.Throws<InvalidOperationException>(() => results.Next(Limit));
    }

    [Fact]
    public void IMapUnordered_ManyItems_YieldsEveryResultOnce()
    {
        using var pool = NewPool();
        var results = pool.IMapUnordered(Func, Enumerable.Range(0, 1000), chunkSize: 4).ToList();
        Assert.Equal(Enumerable.Range(1, 1000), results.Order());
    }

    /// <summary>"gate|x": item <see cref="BlockedItem"/> waits for the file gate; every other returns x at once.</summary>
    internal static int BlockOneItem(string gateAndItem)
    {
        var x = int.Parse(gateAndItem[(gateAndItem.LastIndexOf('|') + 1)..]);
        if (x == BlockedItem)
            WaitForFile(gateAndItem[..gateAndItem.LastIndexOf('|')]);
        return x;
    }

    private const int BlockedItem = 10;

    [Fact]
    public void IMapUnordered_ATaskBlocks_ResultsOfTheTasksBeforeItStillArrive()
    {
        // Tasks run in input order on each worker, so every task before the blocked one has run;
        // a result held back to travel with others must not wait for a task that does not end.
        var gate = Path.Combine(Path.GetTempPath(), $"actorpool-gate-{Guid.NewGuid():N}");
        try
        {
            using var pool = NewPool();
            var results = pool.IMapUnordered(BlockOneItem, Enumerable.Range(0, 64).Select(x => $"{gate}|{x}"), chunkSize: 1);
            var seen = new HashSet<int>();
            while (!Enumerable.Range(0, BlockedItem).All(seen.Contains))
                seen.Add(results.Next(Limit)); // throws TimeoutException if a result never comes
            Assert.DoesNotContain(BlockedItem, seen);
            File.WriteAllText(gate, "");
            while (seen.Count < 64)
                seen.Add(results.Next(Limit));
        }
        finally
        {
            File.WriteAllText(gate, "");
            File.Delete(gate);
        }
    }

    [Fact]
    public void IMap_FailedItem_ThrowsAtItsPositionAndNextContinues()
    {
        using var pool = NewPool();
        var results = pool.IMap(Fail, Enumerable.Range(0, 6), chunkSize: 2);
        Assert.Equal([1, 2, 3], new[] { results.Next(Limit), results.Next(Limit), results.Next(Limit) });
        var error = Assert.Throws<InvalidOperationException>(() => results.Next(Limit));
        Assert.Equal("item 3 is bad", error.Message);
        Assert.Equal([5, 6], new[] { results.Next(Limit), results.Next(Limit) });
    }

    [Fact]
    public void IMap_InputThrows_SurfacesAtThatPosition()
    {
        using var pool = NewPool();
        var results = pool.IMap(Func, InputThatThrowsAfter(5), chunkSize: 2);
        Assert.Equal([1, 2, 3, 4, 5], Enumerable.Range(0, 5).Select(_ => results.Next(Limit)));
        Assert.Throws<FormatException>(() => results.Next(Limit));
        Assert.Throws<InvalidOperationException>(() => results.Next(Limit)); // and then the end
    }

    [Fact]
    public void IMap_EndlessInput_ReadsBoundedAheadAndStopsWhenDisposed()
    {
        using var pool = NewPool();
        var produced = 0;
        var inputDisposed = new Signal();
        IEnumerable<int> Endless()
        {
            try
            {
                for (var i = 0; ; i++)
                {
                    Interlocked.Increment(ref produced);
                    yield return i;
                }
            }
            finally
            {
                inputDisposed.Set();
            }
        }

        var results = pool.IMap(Func, Endless());
        for (var i = 0; i < 50; i++)
            Assert.Equal(i + 1, results.Next(Limit));
        results.Dispose();
        inputDisposed.WaitFor(); // an eager reader of an endless input would never get here
        // 50 consumed, plus at most the in-flight window (by default ItemsInFlightPerWorker one-item
        // chunks per worker) and the item being read when the job stopped.
        Assert.InRange(Volatile.Read(ref produced), 50, 50 + ItemsInFlightPerWorker * pool.Processes + 1);
    }

    /// <summary><c>actorpool.imap.items-in-flight-per-worker</c> in reference.conf: how far IMap reads one-item chunks ahead.</summary>
    private static readonly int ItemsInFlightPerWorker = ReferenceConfig.Get().GetInt("actorpool.imap.items-in-flight-per-worker");

    private static readonly AsyncLocal<string?> Ambient = new();

    private static IEnumerable<int> InputRecordingItsContext(List<string> seen)
    {
        for (var i = 0; i < 3; i++)
        {
            seen.Add($"{Ambient.Value ?? "<none>"}|{System.Globalization.CultureInfo.CurrentCulture.Name}");
            yield return i;
        }
    }

    [Fact]
    public void IMap_InputIsReadInTheCallersExecutionContext()
    {
        using var pool = NewPool();
        var seen = new List<string>();
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            Ambient.Value = "caller";
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal([1, 2, 3], pool.IMap(Func, InputRecordingItsContext(seen)).ToList());
        }
        finally
        {
            Ambient.Value = null;
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
        // The input is the caller's code: its AsyncLocals and culture are there, as in a foreach.
        Assert.Equal(["caller|de-DE", "caller|de-DE", "caller|de-DE"], seen);
    }

    [Fact]
    public async Task IMap_BreakOutOfForeach_StopsReadingTheInputAndEndsTheJob()
    {
        var pool = NewPool();
        var produced = 0;
        var inputDisposed = new Signal();
        // The input is read by the caller's process, whatever the deployment, so it may count.
        IEnumerable<int> Endless()
        {
            try
            {
                for (var i = 0; ; i++)
                {
                    Interlocked.Increment(ref produced);
                    yield return i;
                }
            }
            finally
            {
                inputDisposed.Set();
            }
        }

        var taken = new List<int>();
        foreach (var result in pool.IMap(Func, Endless()))
        {
            taken.Add(result);
            if (result == 10)
                break;
        }

        Assert.Equal(Enumerable.Range(1, 10), taken);
        inputDisposed.WaitFor(); // the feeder stopped reading: nothing else ends an endless input
        // Disposed, the input reads no more: what it produced is final. At most the in-flight window
        // (by default ItemsInFlightPerWorker one-item chunks per worker) and the item being read ran
        // ahead of the consumer.
        Assert.InRange(Volatile.Read(ref produced), taken.Count, taken.Count + ItemsInFlightPerWorker * pool.Processes + 1);
        Assert.Equal([2, 3, 4, 5], pool.Map(Func, [1, 2, 3, 4])); // the pool runs new work
        // Join waits for every job still outstanding, and an endless IMap's never ends on its own:
        // Join returns only because leaving the foreach ended the job.
        pool.Close();
        await Task.Run(pool.Join).WaitAsync(Limit);
        pool.Dispose();
    }

    [Fact]
    public async Task IMap_AwaitForeach_YieldsAllInOrder()
    {
        await using var pool = NewPool();
        var results = new List<int>();
        await foreach (var result in pool.IMap(Func, Enumerable.Range(0, 100), chunkSize: 3))
            results.Add(result);
        Assert.Equal(Enumerable.Range(1, 100), results);
    }

    [Fact]
    public async Task IMapUnordered_AwaitForeachWithCancellation_CompilesAndACancelledTokenStopsTheLoop()
    {
        await using var pool = NewPool();
        var results = new List<int>();
        await foreach (var result in pool.IMapUnordered(Func, Enumerable.Range(0, 20)).WithCancellation(CancellationToken.None).ConfigureAwait(false))
            results.Add(result);
        Assert.Equal(Enumerable.Range(1, 20), results.Order());

        using var cancellation = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in pool.IMap(Func, Enumerable.Range(0, 1_000_000)).WithCancellation(cancellation.Token))
            {
                if (++seen == 3)
                    cancellation.Cancel();
            }
        });
        Assert.Equal(3, seen);
    }

    [Fact]
    public async Task IMap_AsAsyncEnumerable_GoesWhereAnIAsyncEnumerableIsWanted()
    {
        await using var pool = NewPool();
        Assert.Equal(Enumerable.Range(1, 10), await Collect(pool.IMap(Func, Enumerable.Range(0, 10)).AsAsyncEnumerable()));

        static async Task<List<int>> Collect(IAsyncEnumerable<int> source)
        {
            var list = new List<int>();
            await foreach (var item in source)
                list.Add(item);
            return list;
        }
    }

    [Fact]
    public void IMap_EmptyInput_EndsAtOnce()
    {
        using var pool = NewPool();
        Assert.Empty(pool.IMap(Func, Array.Empty<int>()));
        Assert.Empty(pool.IMapUnordered(Func, Array.Empty<int>()));
    }
}
