using ActorPool.Protocol;
using ActorPool.Testing;
using Akka.Actor;

namespace ActorPool.Tests.Remote;

/// <summary>
/// The data plane in the deployments, with node host processes: a pool's work reaches every node
/// on a connection of its own, unless the data plane is turned off, when remoting carries it all
/// the same. (The contract suite runs every behaviour over it; its loss is covered without processes.)
/// </summary>
public sealed class DataPlaneProcessTests(TwoNodeCluster cluster) : IClassFixture<TwoNodeCluster>
{
    internal static int ProcessId(int x) => Environment.ProcessId;

    /// <summary>
    /// Maps until tasks have run in <paramref name="processes"/> processes, for <see cref="Gate.Limit"/>
    /// at most: a node's workers join when it answers, which may be after many Maps on a loaded machine.
    /// </summary>
    private static void RunOnEveryProcess(Pool pool, int processes)
    {
        var seen = new HashSet<int>();
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); seen.Count < processes && waited.Elapsed < Gate.Limit;)
            seen.UnionWith(pool.Map(ProcessId, Enumerable.Range(0, 64), chunkSize: 1));
        Assert.Equal(processes, seen.Count);
    }

    /// <summary>
    /// Whether the pool comes to hold a link to <paramref name="nodes"/> nodes: on a loaded machine
    /// a node can be unreachable for a moment, which closes its link until it is reachable again
    /// and its link opened anew, so the count is asked until it holds (each ask a round trip).
    /// </summary>
    private static bool ComesToLink(Pool pool, int nodes) => SpinWait.SpinUntil(() => LinkedNodes(pool).Length == nodes, Gate.Limit);

    private static Address[] LinkedNodes(Pool pool) =>
        pool.System.ActorSelection($"/user/{ClusterNames.PoolRouter}/{ClusterNames.Workers}")
            .Ask<LinkedNodes>(GetLinkedNodes.Instance, Gate.Limit).GetAwaiter().GetResult().Nodes;

    [Fact]
    public void Cluster_Map_ReachesEveryNodeOnADataConnection()
    {
        using var pool = new Pool(new PoolOptions { Deployment = PoolDeployment.Cluster, SeedNodes = [cluster.SeedEndpoint] });

        RunOnEveryProcess(pool, 2);

        Assert.True(ComesToLink(pool, 2), $"The pool links {LinkedNodes(pool).Length} of its 2 nodes.");
    }

    [Fact]
    public void Cluster_DataPlaneTurnedOff_RemotingCarriesTheWork()
    {
        using var pool = new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.Cluster,
            SeedNodes = [cluster.SeedEndpoint],
            SystemSetup = Akka.Actor.Setup.ActorSystemSetup.Create(Akka.Actor.BootstrapSetup.Create().WithConfig(
                Akka.Configuration.ConfigurationFactory.ParseString("actorpool.remote.data-plane.enabled = off"))),
        });

        RunOnEveryProcess(pool, 2);

        Assert.Empty(LinkedNodes(pool));
    }

    [Fact]
    public void LocalProcesses_Map_ReachesEveryWorkerProcessOnADataConnection()
    {
        using var pool = new Pool(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = 2 });

        RunOnEveryProcess(pool, 2);

        Assert.True(ComesToLink(pool, 2), $"The pool links {LinkedNodes(pool).Length} of its 2 nodes.");
    }
}
