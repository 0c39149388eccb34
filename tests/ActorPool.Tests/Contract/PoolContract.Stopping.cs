using System.Runtime.CompilerServices;
using Akka.Actor;

namespace ActorPool.Tests.Contract;

public abstract partial class PoolContract
{
    /// <summary>Waits (on its worker, wherever that is) until the file at <paramref name="gate"/> exists: a gate that crosses processes.</summary>
    internal static int WaitForFile(string gate)
    {
        if (!SpinWait.SpinUntil(() => File.Exists(gate), Gate.Limit))
            throw new TimeoutException("The test's file gate never opened.");
        return 1;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SystemStops_OutstandingResultsFailAtOnceAndDisposeReturns(bool coordinatedShutdown)
    {
        var gate = Path.Combine(Path.GetTempPath(), $"actorpool-gate-{Guid.NewGuid():N}");
        var pool = NewPool();
        try
        {
            var result = pool.MapAsync(WaitForFile, Enumerable.Repeat(gate, 20), chunkSize: 1);

            if (coordinatedShutdown)
                _ = CoordinatedShutdown.Get(pool.System).Run(CoordinatedShutdown.UnknownReason.Instance);
            else
                _ = pool.System.Terminate();

            // The job cannot have finished: its tasks wait on the gate, which is still shut.
            Assert.True(result.Wait(Limit), "The result never became ready after the pool's system stopped.");
            Assert.Throws<PoolTerminatedException>(() => result.Get(TimeSpan.Zero));
            var refused = Assert.Throws<InvalidOperationException>(() => pool.ApplyAsync(Func, 1));
            Assert.Contains("ActorSystem", refused.Message);
        }
        finally
        {
            File.WriteAllText(gate, ""); // let the tasks already running on workers return
        }
        await pool.DisposeAsync().AsTask().WaitAsync(Limit); // throws TimeoutException if Dispose hangs
        File.Delete(gate);
    }

    [Fact]
    public void IMap_NextAfterDispose_ThrowsObjectDisposedExceptionNotTheEnd()
    {
        using var pool = NewPool();
        var results = pool.IMap(Func, Enumerable.Range(0, 200));
        Assert.Equal(1, results.Next(Limit));
        results.Dispose();
        Assert.Throws<ObjectDisposedException>(() => results.Next(Limit));
        Assert.Throws<ObjectDisposedException>(() => results.Next(Limit));
    }

    [Fact]
    public void IMap_SecondForeachAfterBreak_ThrowsObjectDisposedException()
    {
        using var pool = NewPool();
        var results = pool.IMap(Func, Enumerable.Range(0, 200));
        foreach (var result in results)
        {
            if (result == 3)
                break;
        }
        Assert.Throws<ObjectDisposedException>(() => results.ToList());
    }

    public sealed class Payload
    {
        public int Value { get; set; }
    }

    internal static Payload Echo(Payload payload) => new() { Value = payload.Value + 1 };

    [Fact]
    public void FinishedJobs_LeaveNoReferenceToTheirArgumentsOrResults()
    {
        using var pool = NewPool();
        var references = RunAndDrop(pool);
        Assert.All(references, reference => Assert.True(Collected(reference.Target), $"{reference.What} is still reachable after its job ended."));
    }

    [Fact]
    public void Dispose_LetsGoOfThePoolAndItsActorSystemWithinSeconds()
    {
        var (pool, system) = RunAndDispose();
        // Dispose waits for what the pool started to let go of it (remoting's per-thread caches and
        // socket threads among them), but the system's last termination callbacks may still be
        // returning on other threads: collect until they have. Remoting used to hold a disposed
        // pool's system for about 22 s (until idle thread-pool threads retired), well past this limit.
        var within = TimeSpan.FromSeconds(10);
        Assert.True(Collected(pool, within), "The disposed pool is still reachable.");
        Assert.True(Collected(system, within), "The disposed pool's ActorSystem is still reachable.");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private (WeakReference Pool, WeakReference System) RunAndDispose()
    {
        var pool = NewPool();
        Assert.Equal(5050, pool.Map(Func, Enumerable.Range(0, 100)).Sum());
        var references = (new WeakReference(pool), new WeakReference(pool.System));
        pool.Dispose();
        return references;
    }

    /// <summary>
    /// Whether <paramref name="target"/> is collected. A job's result reaches its caller before its
    /// worker's report that the batch is done reaches the router, which holds the batch until
    /// then, so this collects until the object is gone or <paramref name="within"/> (by default the
    /// tests' safety limit) has passed.
    /// </summary>
    protected static bool Collected(WeakReference target, TimeSpan? within = null) => SpinWait.SpinUntil(() =>
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return !target.IsAlive;
    }, within ?? Limit);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (string What, WeakReference Target)[] RunAndDrop(Pool pool)
    {
        var mapInput = Enumerable.Range(0, 100).Select(i => new Payload { Value = i }).ToArray();
        var mapOutput = pool.Map(Echo, mapInput, chunkSize: 10);
        var applyInput = new Payload { Value = 1 };
        var applyOutput = pool.ApplyAsync(Echo, applyInput).Get(Limit);
        var streamInput = Enumerable.Range(0, 20).Select(i => new Payload { Value = i }).ToArray();
        var streamOutput = pool.IMap(Echo, streamInput, chunkSize: 3).ToList();
        Assert.Equal(6, mapOutput[5].Value);
        return
        [
            ("a Map's argument", new WeakReference(mapInput[5])),
            ("a Map's result", new WeakReference(mapOutput[5])),
            ("an Apply's argument", new WeakReference(applyInput)),
            ("an Apply's result", new WeakReference(applyOutput)),
            ("an IMap's argument", new WeakReference(streamInput[5])),
            ("an IMap's result", new WeakReference(streamOutput[5])),
        ];
    }
}
