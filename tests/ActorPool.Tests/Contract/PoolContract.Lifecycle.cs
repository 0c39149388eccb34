namespace ActorPool.Tests.Contract;

public abstract partial class PoolContract
{
    [Fact]
    public void Close_UnconsumedIMap_JoinStillFinishes()
    {
        var pool = NewPool();
        var results = pool.IMap(Func, Enumerable.Range(0, 1_000)); // far more than the in-flight window
        pool.Close();
        pool.Join();
        Assert.Equal(Enumerable.Range(1, 1_000), results.ToList());
    }

    [Fact]
    public void Join_WhileRunning_Throws()
    {
        using var pool = NewPool();
        Assert.Throws<InvalidOperationException>(() => pool.Join());
    }

    public enum StopCall
    {
        Close,
        Terminate,
        Dispose,
    }

    [Theory]
    [InlineData(StopCall.Close, StopCall.Terminate, StopCall.Dispose)]
    [InlineData(StopCall.Close, StopCall.Dispose, StopCall.Terminate)]
    [InlineData(StopCall.Terminate, StopCall.Close, StopCall.Dispose)]
    [InlineData(StopCall.Terminate, StopCall.Dispose, StopCall.Close)]
    [InlineData(StopCall.Dispose, StopCall.Close, StopCall.Terminate)]
    [InlineData(StopCall.Dispose, StopCall.Terminate, StopCall.Close)]
    public async Task CloseTerminateDispose_InAnyOrderEachTwice_JoinReturnsResultsSettleAndWorkIsRefused(
        StopCall first, StopCall second, StopCall third)
    {
        var gate = Path.Combine(Path.GetTempPath(), $"actorpool-gate-{Guid.NewGuid():N}");
        var pool = NewPool();
        try
        {
            // Outstanding work that cannot finish while the gate is shut. The gate opens before the
            // first call, unless that call is Terminate: then the work is still outstanding when the
            // pool terminates, and only after that are the tasks already running let return.
            var outstanding = pool.MapAsync(WaitForFile, Enumerable.Repeat(gate, 4), chunkSize: 1);
            if (first != StopCall.Terminate)
                File.WriteAllText(gate, "");

            var calls = Task.Run(() =>
            {
                foreach (var call in new[] { first, second, third })
                {
                    for (var twice = 0; twice < 2; twice++)
                        Stop(pool, call);
                    if (!File.Exists(gate))
                        File.WriteAllText(gate, "");
                    pool.Join(); // valid after any of them, and as often as asked
                    pool.Join();
                }
            });
            await calls.WaitAsync(Limit); // throws TimeoutException if any call hangs

            Assert.Throws<InvalidOperationException>(() => pool.Map(Func, [1]));
            Assert.Throws<InvalidOperationException>(() => pool.ApplyAsync(Func, 1));
            Assert.Throws<InvalidOperationException>(() => pool.IMap(Func, [1]));
            Assert.True(outstanding.Ready());
            if (first == StopCall.Terminate)
                Assert.Throws<PoolTerminatedException>(() => outstanding.Get(TimeSpan.Zero));
            else
                Assert.Equal([1, 1, 1, 1], outstanding.Get(TimeSpan.Zero)); // submitted before the first call: it completes, not fails
        }
        finally
        {
            if (!File.Exists(gate))
                File.WriteAllText(gate, "");
            await pool.DisposeAsync().AsTask().WaitAsync(Limit);
            File.Delete(gate);
        }
    }

    private static void Stop(Pool pool, StopCall call)
    {
        switch (call)
        {
            case StopCall.Close:
                pool.Close();
                break;
            case StopCall.Terminate:
                pool.Terminate();
                break;
            case StopCall.Dispose:
                pool.Dispose();
                break;
        }
    }
}
