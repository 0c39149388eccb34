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

    [Fact]
    public void Initializer_ThatCapturesState_IsRefusedNamingIt()
    {
        var captured = 0;
        var error = Assert.Throws<ArgumentException>(() => NewPool(() => captured++, null));
        Assert.Equal("options.Initializer", error.ParamName);
        Assert.Contains("captures", error.Message);
        Assert.Contains("The Initializer runs in every worker", error.Message);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(error.Message, "Parameter 'options.Initializer'"));
    }
}
