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
}

/// <summary>The contract against a pool of two worker processes of its own.</summary>
public sealed class LocalProcessesPoolContract : PoolContract
{
    protected override Pool NewPool() => NewDurablePool(null);

    protected override Pool NewDurablePool(string? journalPath) =>
        new(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = 2, JournalPath = journalPath });

    protected override bool WorkerProcessesEndWithThePool => true;
}
