using ActorPool.Tests.Remote;

namespace ActorPool.Tests.Contract;

/// <summary>The contract against a two-node cluster of real node host processes (one worker each).</summary>
public sealed class ClusterPoolContract(TwoNodeCluster cluster) : PoolContract, IClassFixture<TwoNodeCluster>
{
    protected override Pool NewPool() => new(new PoolOptions
    {
        Deployment = PoolDeployment.Cluster,
        SeedNodes = [cluster.SeedEndpoint],
        Processes = 2,
    });
}

/// <summary>The contract against a pool of two worker processes of its own.</summary>
public sealed class LocalProcessesPoolContract : PoolContract
{
    protected override Pool NewPool() => new(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = 2 });
}
