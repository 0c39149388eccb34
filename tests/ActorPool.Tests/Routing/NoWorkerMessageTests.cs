using ActorPool.Routing;

namespace ActorPool.Tests.Routing;

/// <summary>What pending work's TimeoutException says when no worker came: advice for the deployment at hand.</summary>
public sealed class NoWorkerMessageTests
{
    [Fact]
    public void NoWorkerMessage_Cluster_SaysToStartNodesWithTheRole()
    {
        var message = WorkPullingRouter.NoWorkerMessage(TimeSpan.FromSeconds(60), PoolDeployment.Cluster, "gpu");

        Assert.StartsWith("No worker joined the pool within 60 s", message);
        Assert.Contains("Start nodes with the role 'gpu'", message);
    }

    [Fact]
    public void NoWorkerMessage_LocalProcesses_PointsAtTheWorkerProcessesNotAtNodesToStart()
    {
        var message = WorkPullingRouter.NoWorkerMessage(TimeSpan.FromSeconds(60), PoolDeployment.LocalProcesses, "worker");

        Assert.StartsWith("No worker joined the pool within 60 s", message);
        Assert.Contains("worker processes", message);
        Assert.Contains("actorpool-node/", message);
        Assert.DoesNotContain("Start nodes", message);
    }
}
