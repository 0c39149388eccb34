using ActorPool.Tests.Remote;

namespace ActorPool.Tests.Contract;

/// <summary>The contract against a two-node cluster of real node host processes (one worker each).</summary>
public sealed class ClusterPoolContract(TwoNodeCluster cluster) : PoolContract, IClassFixture<TwoNodeCluster>
{
    protected override Pool NewPool() => NewDurablePool(null);

    protected override Pool NewDurablePool(string? journalPath) => new(new PoolOptions
    {
        Deployment = PoolDeployment.Cluster,
        SeedNodes = [cluster.SeedEndpoint],
        Processes = 2,
        JournalPath = journalPath,
    });

    protected override Pool NewPool(Action? initializer, int? maxTasksPerChild) => new(new PoolOptions
    {
        Deployment = PoolDeployment.Cluster,
        SeedNodes = [cluster.SeedEndpoint],
        Initializer = initializer,
        MaxTasksPerChild = maxTasksPerChild,
    });

    [Fact]
    public void Stragglers_WorkBehindALongTask_IsTakenBackByAnIdleWorker() => AssertTheWorkBehindALongTaskRunsElsewhere();

    [Fact]
    public void Speculative_AStragglerIsRunAgainOnAnIdleWorker_TheFirstResultWinsAndTheOtherIsCancelled() =>
        AssertAStragglerIsRunAgainAndTheLoserCancelled();

    [Fact]
    public void Closures_ACapturedVariableChangedAfterSubmission_IsNotSeenByTheWorkers() => AssertACapturedVariableChangedAfterSubmissionIsNotSeen();
}

/// <summary>The contract against a pool of two worker processes of its own.</summary>
public sealed class LocalProcessesPoolContract : PoolContract
{
    protected override Pool NewPool() => NewDurablePool(null);

    protected override Pool NewDurablePool(string? journalPath) =>
        new(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = 2, JournalPath = journalPath });

    protected override Pool NewPool(Action? initializer, int? maxTasksPerChild) =>
        new(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = 2, Initializer = initializer, MaxTasksPerChild = maxTasksPerChild });

    protected override bool WorkerProcessesEndWithThePool => true;

    internal static int ProcessId() => Environment.ProcessId;

    [Fact]
    public void Stragglers_WorkBehindALongTask_IsTakenBackByAnIdleWorker() => AssertTheWorkBehindALongTaskRunsElsewhere();

    [Fact]
    public void Speculative_AStragglerIsRunAgainOnAnIdleWorker_TheFirstResultWinsAndTheOtherIsCancelled() =>
        AssertAStragglerIsRunAgainAndTheLoserCancelled();

    [Fact]
    public void Closures_ACapturedVariableChangedAfterSubmission_IsNotSeenByTheWorkers() => AssertACapturedVariableChangedAfterSubmissionIsNotSeen();

    [Fact]
    public async Task TaskTimeout_WorkerProcessLeftWithAHungThread_IsReplacedByAFreshOne()
    {
        using var pool = new Pool(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = 1 });
        var before = pool.Apply(ProcessId);
        using var process = System.Diagnostics.Process.GetProcessById(before);
        Assert.Throws<TimeoutException>(() => pool.Apply(HangForever, 1, new JobOptions { TaskTimeout = ShortTimeout }));
        await process.WaitForExitAsync().WaitAsync(Limit);
        var after = pool.Apply(ProcessId);
        Assert.NotEqual(before, after);
        Assert.Equal(Enumerable.Range(1, 50), pool.Map(Func, Enumerable.Range(0, 50), chunkSize: 1));
    }

    private static Action CountingInto(object counter) => () => counter.GetHashCode();

    [Fact]
    public void Initializer_ThatCapturesAnObject_IsRefusedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => NewPool(CountingInto(new object()), null));
        Assert.Equal("options.Initializer", error.ParamName);
        Assert.Contains("captures the variable 'counter' declared as System.Object", error.Message);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(error.Message, "Parameter 'options.Initializer'"));
    }

    [Fact]
    public void Initializer_AnInstanceMethod_IsRefusedWithTheInitializersAdvice()
    {
        var error = Assert.Throws<ArgumentException>(() => NewPool(new List<int>().Clear, null));
        Assert.Equal("options.Initializer", error.ParamName);
        Assert.Contains("The Initializer runs in every worker", error.Message);
    }
}
