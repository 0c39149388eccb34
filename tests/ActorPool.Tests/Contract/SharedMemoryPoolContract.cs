using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
namespace ActorPool.Tests.Contract;

/// <summary>
/// The rest of the contract, for pools whose workers share the test's memory (in-process): these
/// tests steer tasks with gates and closures and observe workers' thread state, none of which can
/// cross to another process.
/// </summary>
public abstract class SharedMemoryPoolContract : PoolContract
{
    protected abstract PoolRouting Routing { get; }

    protected override Pool NewPool() => NewPool(processes: 2);

    protected override Pool NewDurablePool(string? journalPath) =>
        new(new PoolOptions { Processes = 2, Routing = Routing, JournalPath = journalPath });

    protected override Pool NewPool(Action? initializer, int? maxTasksPerChild) => NewPool(2, initializer, maxTasksPerChild);

    protected Pool NewPool(int processes = 2, Action? initializer = null, int? maxTasksPerChild = null) =>
        new(new PoolOptions { Processes = processes, Routing = Routing, Initializer = initializer, MaxTasksPerChild = maxTasksPerChild });

    [Fact]
    public void Tracing_EachChunkIsAnActivityOfItsJob_AndItsItemsRunInIt()
    {
        using var recorder = new ActivityRecorder();
        using var pool = NewPool();
        var spans = pool.Map(_ => System.Diagnostics.Activity.Current!.SpanId.ToHexString(), Enumerable.Range(0, 6), chunkSize: 2);
        var job = Assert.Single(recorder.JobsOf(pool));
        Assert.Equal("actorpool.map", job.OperationName);
        var chunks = recorder.ChunksOf(job);
        Assert.Equal(3, chunks.Count);
        Assert.Equal(spans.Distinct().Order(), chunks.Select(chunk => chunk.SpanId.ToHexString()).Order()); // each item ran inside its chunk's activity
    }

    [Fact]
    public void Metrics_WorkersGauge_CountsEveryWorkerThread()
    {
        using var workers = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<int>(null, "ActorPool", "actorpool.workers");
        using var pool = NewPool(processes: 3);
        workers.RecordObservableInstruments();
        Assert.Equal(3, Of(workers, pool).Last().Value);
    }

    [Fact]
    public void IMap_FirstResult_AvailableBeforeTheJobEnds()
    {
        using var pool = NewPool();
        var gate = new Gate();
        var results = pool.IMap(x => { if (x > 0) gate.Pass(); return x; }, Enumerable.Range(0, 10));
        Assert.Equal(0, results.Next(Limit)); // while items 1.. are still blocked
        gate.Open();
        Assert.Equal(Enumerable.Range(1, 9), results.ToList());
    }

    [Fact]
    public void IMapUnordered_YieldsInCompletionOrder()
    {
        using var pool = NewPool();
        var gate = new Gate();
        // Item 0 cannot finish until a later item's result has been taken. Nine later items make
        // sure some reach the other worker even under SmallestMailbox, which may queue a task
        // behind the blocked one (a busy worker with an empty mailbox looks free to it).
        var results = pool.IMapUnordered(x => { if (x == 0) gate.Pass(); return x; }, Enumerable.Range(0, 10));
        var first = results.Next(Limit);
        Assert.NotEqual(0, first);
        gate.Open();
        Assert.Equal(Enumerable.Range(0, 10), results.ToList().Append(first).Order());
    }

    [Fact]
    public void IMap_NextTimesOut_ThrowsTimeoutExceptionAndStaysUsable()
    {
        using var pool = NewPool();
        var gate = new Gate();
        var results = pool.IMap(x => { gate.Pass(); return x; }, [7]);
        Assert.Throws<TimeoutException>(() => results.Next(TimeSpan.FromMilliseconds(1)));
        gate.Open();
        Assert.Equal(7, results.Next(Limit));
    }

    [Fact]
    public void Get_NotReadyInTime_ThrowsTimeoutExceptionAndStaysUsable()
    {
        using var pool = NewPool();
        var gate = new Gate();
        var result = pool.ApplyAsync(() => { gate.Pass(); return 1; });
        Assert.Throws<TimeoutException>(() => result.Get(TimeSpan.FromMilliseconds(1)));
        Assert.False(result.Wait(TimeSpan.Zero));
        Assert.False(result.Ready());
        Assert.Throws<InvalidOperationException>(() => result.Successful());
        gate.Open();
        Assert.Equal(1, result.Get(Limit));
        Assert.True(result.Ready());
        Assert.True(result.Successful());
    }

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
        // The worker is replaced after its sixth task too, but its result may come back, and the pool
        // be closed, before that fourth incarnation starts: a pool that stops first starts none.
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref incarnations) == 4, Limit), "The worker was not replaced after its sixth task.");
        pool.Close();
        pool.Join();
        Assert.Equal(4, incarnations); // replaced after tasks 2, 4 and 6, and no more
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

    [Fact]
    public void Map_AsyncFunctionWithTheDefaultChunkSize_AWorkerAwaitsItsItemsAtOnce()
    {
        using var pool = NewPool();
        // 16 items on 2 workers: by default each chunk holds 8, which its worker awaits at once; each
        // item waits until the 8 of its chunk have started. Chunks of one item each would leave each
        // worker awaiting one at a time, and the items would time out. Each chunk waits only for its
        // own: SmallestMailbox may queue both chunks on one worker (a busy worker with an empty
        // mailbox looks free to it), which then runs them one after the other.
        var (first, second) = ($"{Guid.NewGuid():N}|8", $"{Guid.NewGuid():N}|8");
        Assert.Equal(Enumerable.Repeat(8, 16), pool.Map(WaitForTheOthers, Enumerable.Repeat(first, 8).Concat(Enumerable.Repeat(second, 8))));
    }

    [Fact]
    public void MaxTasksPerChild_DefaultChunkSize_IsCPythons()
    {
        var incarnations = 0;
        var pool = NewPool(processes: 1, maxTasksPerChild: 2,
            initializer: () => WorkerState.Incarnation = Interlocked.Increment(ref incarnations));
        // CPython's default for one worker: 4 chunks of 10, so a new worker after the second chunk.
        // (The default without MaxTasksPerChild, chunks of 2, would make 10 incarnations of 4 items.)
        var seen = pool.Map(_ => WorkerState.Incarnation, Enumerable.Range(0, 40));
        Assert.Equal([20, 20], seen.GroupBy(incarnation => incarnation).Select(group => group.Count()));
        pool.Close();
        pool.Join();
    }

    [Fact]
    public void MaxTasksPerChild_ManyChunksPerBatch_NoChunkLostAcrossReplacements()
    {
        var incarnations = 0;
        var pool = NewPool(processes: 1, maxTasksPerChild: 3,
            initializer: () => WorkerState.Incarnation = Interlocked.Increment(ref incarnations));
        // 300 one-item chunks for one worker: work pulling sends them in batches of many, so workers
        // are replaced in the middle of batches and hand the rest back.
        var seen = pool.Map(_ => WorkerState.Incarnation, Enumerable.Range(0, 300), chunkSize: 1);
        // Every task ran once, and every incarnation ran exactly three (not in input order: a
        // replaced worker's next message may be a batch sent after the one it handed back).
        Assert.Equal(300, seen.Count);
        Assert.Equal(Enumerable.Range(1, 100), seen.Distinct().Order());
        Assert.All(seen.GroupBy(incarnation => incarnation), group => Assert.Equal(3, group.Count()));
        pool.Close();
        pool.Join();
    }

    [Fact]
    public void Task_WaitsOnItsOwnPool_ThrowsAtOnceAndThePoolCarriesOn()
    {
        using var pool = NewPool();
        var earlier = pool.ApplyAsync(Func, 1);
        Assert.Equal(2, earlier.Get(Limit));
        var gate = new Gate();
        var refused = pool.Apply(() =>
        {
            var pending = pool.ApplyAsync(() => { gate.Pass(); return 0; }); // not ready until the gate opens
            var names = new List<string>();
            void Refused(string name, Action wait)
            {
                try
                {
                    wait();
                }
                catch (InvalidOperationException ex) when (ex.Message.Contains("same pool"))
                {
                    names.Add(name);
                }
            }
            Refused("Map", () => pool.Map(Func, [1]));
            Refused("StarMap", () => pool.StarMap<int, int, int>(FuncApply, [(1, 2)]));
            Refused("Apply", () => pool.Apply(Func, 1));
            Refused("Get", () => pending.Get());
            Refused("Wait", () => pending.Wait());
            Refused("Next", () => pool.IMap(x => { gate.Pass(); return x; }, [1]).Next());
            Refused("foreach", () => pool.IMapUnordered(Func, [1]).ToList());
            Refused("Join", pool.Join);
            Refused("Dispose", pool.Dispose);
            pool.ApplyAsync(Func, 5); // submitting without waiting stays allowed,
            Assert.Equal(2, earlier.Get()); // and so does taking a result that is ready
            Assert.False(pending.Wait(TimeSpan.Zero)); // or waiting with a limit
            gate.Open();
            return names;
        });
        Assert.Equal(["Map", "StarMap", "Apply", "Get", "Wait", "Next", "foreach", "Join", "Dispose"], refused);
        Assert.Equal(3, pool.ApplyAsync(Func, 2).Get(Limit)); // no worker is wedged
    }

    [Fact]
    public async Task Callback_DisposesItsOwnPool_ThrowsInsteadOfDeadlocking()
    {
        var pool = NewPool();
        var outcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = pool.ApplyAsync(Func, 1, callback: _ =>
        {
            try
            {
                pool.Dispose();
                outcome.SetResult(null);
            }
            catch (Exception ex)
            {
                outcome.SetResult(ex);
            }
        });
        Assert.Equal(2, result.Get(Limit));
        Assert.IsType<InvalidOperationException>(await outcome.Task.WaitAsync(Limit));
        pool.Dispose();
    }

    [Fact]
    public async Task SystemPassedIn_Terminated_EveryPoolInItFailsItsResultsAndDisposeReturns()
    {
        var system = Akka.Actor.ActorSystem.Create("user-system");
        // One pool in the system comes and goes first: the system, which lives on, keeps nothing of it.
        Assert.True(Collected(DisposedPoolIn(system)), "A pool disposed in a system that lives on is still reachable from it.");
        Pool[] pools =
        [
            new(new PoolOptions { ActorSystem = system, Processes = 2, Routing = Routing }),
            new(new PoolOptions { ActorSystem = system, Processes = 2, Routing = Routing }),
        ];
        var gate = new Gate();
        var results = pools.Select(pool => pool.MapAsync(x => { gate.Pass(); return x; }, Enumerable.Range(0, 20), chunkSize: 1)).ToArray();

        var terminated = system.Terminate();

        foreach (var result in results)
        {
            Assert.True(result.Wait(Limit), "A result never became ready after the system terminated.");
            Assert.Throws<PoolTerminatedException>(() => result.Get(TimeSpan.Zero));
        }
        Assert.All(pools, pool => Assert.Throws<InvalidOperationException>(() => pool.Map(Func, [1])));
        gate.Open();
        await terminated.WaitAsync(Limit);
        foreach (var pool in pools)
            await pool.DisposeAsync().AsTask().WaitAsync(Limit);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference DisposedPoolIn(Akka.Actor.ActorSystem system)
    {
        var pool = new Pool(new PoolOptions { ActorSystem = system, Processes = 1, Routing = Routing });
        Assert.Equal([2], pool.Map(Func, [1]));
        pool.Dispose();
        return new WeakReference(pool);
    }

    [Fact]
    public void Map_ArrayInput_IsReadNotWritten()
    {
        using var pool = NewPool();
        var input = Enumerable.Range(0, 1000).ToArray();
        Assert.Equal(input.Select(x => x * 2), pool.Map(x => x * 2, input, chunkSize: 7));
        Assert.Equal(Enumerable.Range(0, 1000), input);
    }

    [Fact]
    public void Map_Finished_LeavesNoReferenceToItsFunction()
    {
        using var pool = NewPool();
        var captured = MapWithClosure(pool);
        Assert.True(Collected(captured), "The state a finished job's function captured is still reachable.");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference MapWithClosure(Pool pool)
    {
        var state = new int[1_000];
        Assert.Equal(1_000, pool.Map(x => x + state.Length, [0])[0]);
        return new WeakReference(state);
    }

    private static class WorkerState
    {
        [ThreadStatic] public static bool Initialized;
        [ThreadStatic] public static int Incarnation;
    }

    [Fact]
    public async Task AsyncFunction_AwaitingAJobOfItsOwnPool_IsRefusedInsteadOfHanging()
    {
        // A closure over the pool, so in process only. Each worker's thread waits for its async
        // items: two items awaiting jobs of the same pool would leave nobody to run those jobs.
        // The inner job waits for the gate, so that it cannot have finished (on the other worker)
        // by the time it is awaited: a finished one is awaited without harm, and without the error.
        using var pool = NewPool();
        using var gate = new ManualResetEventSlim();
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
                await pool.ApplyAsync(async () => await pool.ApplyAsync(() => gate.Wait(Limit) ? 20 : -1)));
            Assert.Contains("same pool", error.Message);
        }
        finally
        {
            gate.Set();
        }
    }

    internal static WireTestsUnserializable Unserializable(int x) => new();

    public sealed class WireTestsUnserializable
    {
        public Action Callback { get; set; } = () => { }; // MessagePack has no form for a delegate
    }

    [Fact]
    public void Map_DurableResultsThatCannotBeRecorded_FailTheJobWhichIsNotMarkedFinished()
    {
        using var journal = new TempFolder();
        using var pool = NewDurablePool(Path.Combine(journal.Path, "journal.db"));
        var options = new JobOptions { JobId = "unrecordable" };
        var error = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => pool.Map(Unserializable, [1, 2, 3], options: options));
        Assert.Contains("'unrecordable'", error.Message);
        // Not finished, so submitted again it runs (and fails) again rather than answering from the journal.
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => pool.Map(Unserializable, [1, 2, 3], options: options));
    }

    [Fact]
    public void TaskTimeout_FreshThreadAfterAHang_RunsTheInitializerBeforeItsTasks()
    {
        var initialized = new ThreadLocal<bool>();
        var never = new ManualResetEventSlim();
        using var pool = NewPool(processes: 1, initializer: () => initialized.Value = true);
        var options = new JobOptions { TaskTimeout = ShortTimeout };
        var results = pool.IMap(x => { if (x == 1) never.Wait(); return initialized.Value; }, [0, 1, 2, 3], options: options);
        Assert.True(results.Next(Limit));
        Assert.Throws<TimeoutException>(() => results.Next(Limit));
        Assert.True(results.Next(Limit)); // on the thread that replaced the hung one
        Assert.True(results.Next(Limit));
    }

    [Fact]
    public async Task TaskTimeout_AThreadLeftHanging_JoinAndDisposeDoNotWaitForIt()
    {
        var never = new ManualResetEventSlim();
        var pool = NewPool();
        var hung = pool.ApplyAsync(() => { never.Wait(); return 1; }, options: new JobOptions { TaskTimeout = ShortTimeout });
        Assert.True(hung.Wait(Limit), "The task's timeout never fired.");
        Assert.Throws<TimeoutException>(() => hung.Get());
        pool.Close();
        await Task.Run(pool.Join).WaitAsync(Limit);
        await Task.Run(pool.Dispose).WaitAsync(Limit);
    }

    [Fact]
    public void TaskTimeout_ItemsThatEndInTime_RunOnTheirWorkersRunnerAndKeepTheirResults()
    {
        using var pool = NewPool();
        var workerThreads = new ConcurrentDictionary<int, bool>();
        var results = pool.Map(x => { workerThreads[Environment.CurrentManagedThreadId] = Thread.CurrentThread.Name == "actorpool-task-runner"; return x * 2; },
            Enumerable.Range(0, 1000), chunkSize: 7, options: new JobOptions { TaskTimeout = TimeSpan.FromSeconds(30) });
        Assert.Equal(Enumerable.Range(0, 1000).Select(x => x * 2), results);
        Assert.All(workerThreads.Values, Assert.True);
        Assert.InRange(workerThreads.Count, 1, 2); // one runner per worker, kept from chunk to chunk
    }
}
