using ActorPool.Remote;
using ActorPool.Testing;
using static ActorPool.Tests.Remote.DistributedPoolTests; // its functions: Twice

namespace ActorPool.Tests.Remote;

/// <summary>A <c>LocalProcesses</c> pool's cluster is TLS with a certificate of its own: no other process, with a certificate of its own or none, gets in.</summary>
public sealed class LocalProcessesTrustTests
{
    [Fact]
    public void LocalProcesses_OtherPoolsWithTheirOwnCertificateOrNone_CannotJoinItsClusterWhileItServesOn()
    {
        using var pool = new Pool(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = 1 });
        Assert.Equal([2], pool.Map(Twice, [1]));
        var members = Akka.Cluster.Cluster.Get(pool.System).State.Members;
        Assert.All(members, member => Assert.Equal(TlsSetup.Protocol, member.Address.Protocol));
        // The pool itself and its worker process: strangers try both.
        var endpoints = members.Select(member => $"{member.Address.Host}:{member.Address.Port}").ToArray();
        Assert.Equal(2, endpoints.Length);

        var timeout = TimeSpan.FromSeconds(3);
        using var ownCertificate = new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.Cluster, SeedNodes = endpoints, Processes = 1, NoWorkerTimeout = timeout,
            Certificate = TestCertificates.Create("actorpool-test-other-pool"),
        });
        using var noCertificate = new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.Cluster, SeedNodes = endpoints, Processes = 1, NoWorkerTimeout = timeout,
        });
        var strangers = new[] { ownCertificate.MapAsync(Twice, [1]), noCertificate.MapAsync(Twice, [1]) };

        Assert.All(strangers, Refused.NeverHadAWorker);
        Assert.Equal(2, Akka.Cluster.Cluster.Get(pool.System).State.Members.Count);
        Assert.Equal([4], pool.Map(Twice, [2]));
    }
}
