using ActorPool.Deployment;
using ActorPool.Remote;

namespace ActorPool.Tests.Remote;

/// <summary>The options a distributed pool checks before it starts anything: seed nodes are required for a Cluster, and ignored by LocalProcesses, as documented.</summary>
public sealed class DistributedOptionsTests
{
    [Fact]
    public void Validate_ClusterWithoutSeedNodes_ThrowsNamingThem()
    {
        Assert.Equal("options.SeedNodes", Assert.Throws<ArgumentNullException>(() =>
            DistributedDeployment.Validate(new PoolOptions { Deployment = PoolDeployment.Cluster, SeedNodes = null! })).ParamName);
        Assert.Equal("options.SeedNodes", Assert.Throws<ArgumentException>(() =>
            DistributedDeployment.Validate(new PoolOptions { Deployment = PoolDeployment.Cluster, SeedNodes = [] })).ParamName);
    }

    [Fact]
    public void Validate_ClusterSeedNode_IsItsAddress()
    {
        var seed = Assert.Single(DistributedDeployment.Validate(new PoolOptions { Deployment = PoolDeployment.Cluster, SeedNodes = ["127.0.0.1:4053"] }));

        Assert.Equal(("127.0.0.1", 4053), (seed.Host, seed.Port));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("127.0.0.1:4053")]
    public void Validate_LocalProcesses_IgnoresSeedNodes(string? seed) =>
        Assert.Empty(DistributedDeployment.Validate(new PoolOptions
        {
            Deployment = PoolDeployment.LocalProcesses,
            SeedNodes = seed is null ? null! : [seed],
        }));
}
