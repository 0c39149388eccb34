namespace ActorPool.Tests.Contract;

public abstract partial class PoolContract
{
    [Fact]
    public void Close_QueuedWorkFinishesAndNewSubmissionsAreRefused()
    {
        var pool = NewPool();
        var gate = new Gate();
        var map = pool.MapAsync(x => { gate.Pass(); return x + 1; }, Enumerable.Range(0, 20), chunkSize: 1);
        var apply = pool.ApplyAsync(() => { gate.Pass(); return 7; });
        pool.Close();
        Assert.Throws<InvalidOperationException>(() => pool.Map(Func, [1]));
        Assert.Throws<InvalidOperationException>(() => pool.ApplyAsync(Func, 1));
        Assert.Throws<InvalidOperationException>(() => pool.IMap(Func, [1]));
        gate.Open();
        pool.Join();
        Assert.Equal(Enumerable.Range(1, 20), map.Get(TimeSpan.Zero));
        Assert.Equal(7, apply.Get(TimeSpan.Zero));
    }

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
    public void Terminate_OutstandingResultsFailAtOnce()
    {
        var pool = NewPool();
        var gate = new Gate();
        var started = new Signal();
        var running = pool.ApplyAsync(() => { started.Set(); gate.Pass(); return 1; });
        var queued = pool.MapAsync(x => { gate.Pass(); return x; }, Enumerable.Range(0, 50), chunkSize: 1);
        var stream = pool.IMap(x => { gate.Pass(); return x; }, Enumerable.Range(0, 50));
        started.WaitFor();

        pool.Terminate();

        Assert.Throws<PoolTerminatedException>(() => running.Get(TimeSpan.Zero));
        Assert.Throws<PoolTerminatedException>(() => queued.Get(TimeSpan.Zero));
        Assert.Throws<PoolTerminatedException>(() => stream.Next(Limit));
        Assert.Throws<InvalidOperationException>(() => pool.ApplyAsync(Func, 1));
        gate.Open(); // let the function already running on a worker thread return
        pool.Join();
    }

    [Fact]
    public void Join_WhileRunning_Throws()
    {
        using var pool = NewPool();
        Assert.Throws<InvalidOperationException>(() => pool.Join());
    }

    [Fact]
    public void Dispose_ClosesAndJoinsGracefully()
    {
        AsyncResult<IReadOnlyList<int>> result;
        var gate = new Gate();
        using (var pool = NewPool())
        {
            result = pool.MapAsync(x => { gate.Pass(); return x; }, Enumerable.Range(0, 10), chunkSize: 1);
            gate.Open();
        }
        Assert.Equal(Enumerable.Range(0, 10), result.Get(TimeSpan.Zero));
    }

    [Fact]
    public void CloseTerminateDispose_InAnyOrder_AreSafe()
    {
        var pool = NewPool();
        pool.Close();
        pool.Close();
        pool.Terminate();
        pool.Terminate();
        pool.Join();
        pool.Join();
        pool.Dispose();
    }

    [Fact]
    public void Initializer_RunsOnceInEachWorkerOnItsThreadBeforeItsFirstTask()
    {
        var initialized = 0;
        var pool = NewPool(processes: 2, initializer: () =>
        {
            WorkerState.Initialized = true;
            Interlocked.Increment(ref initialized);
        });
        Assert.All(pool.Map(_ => WorkerState.Initialized, Enumerable.Range(0, 100), chunkSize: 1), Assert.True);
        pool.Close();
        pool.Join();
        Assert.Equal(2, initialized);
    }

    [Fact]
    public void MaxTasksPerChild_ReplacesWorkerAndRunsInitializerAgain()
    {
        var incarnations = 0;
        var pool = NewPool(processes: 1, maxTasksPerChild: 2,
            initializer: () => WorkerState.Incarnation = Interlocked.Increment(ref incarnations));
        var seen = pool.Map(_ => WorkerState.Incarnation, Enumerable.Range(0, 6), chunkSize: 1);
        Assert.Equal([1, 1, 2, 2, 3, 3], seen);
        pool.Close();
        pool.Join();
        Assert.Equal(4, incarnations); // replaced after tasks 2, 4 and 6
    }

    [Fact]
    public void Initializer_Throws_TasksFailWithItsExceptionWithoutHanging()
    {
        using var pool = NewPool(initializer: () => throw new DllNotFoundException("no native library"));
        var error = Assert.Throws<DllNotFoundException>(() => pool.Map(Func, Enumerable.Range(0, 10)));
        Assert.Equal("no native library", error.Message);
        Assert.Throws<DllNotFoundException>(() => pool.Apply(Func, 1));
        Assert.Throws<DllNotFoundException>(() => pool.IMap(Func, [1]).Next(Limit));
    }

    private static class WorkerState
    {
        [ThreadStatic] public static bool Initialized;
        [ThreadStatic] public static int Incarnation;
    }
}
