using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using ActorPool.Remote;
using ActorPool.Testing;
using Akka.Actor;
using Akka.Actor.Setup;
using static ActorPool.Tests.Remote.DistributedPoolTests; // its functions: Twice, MarkAndWork

namespace ActorPool.Tests.Remote;

/// <summary>
/// A cluster across machines must trust only its own: TLS with mutual authentication by pinned
/// certificates, refusals logged once, strangers never joining, never working, never taking a
/// member down. Real node processes on 127.0.0.1, sharing one TLS cluster (<see cref="TlsCluster"/>).
/// </summary>
public sealed class TlsClusterTests(TlsCluster cluster) : IClassFixture<TlsCluster>, IDisposable
{
    private static readonly System.Reflection.Assembly Functions = typeof(TlsClusterTests).Assembly;
    private readonly string _markers = Directory.CreateTempSubdirectory("actorpool-test-").FullName;

    public void Dispose() => Directory.Delete(_markers, recursive: true);

    private Pool TlsPool(X509Certificate2 certificate, params string[] trusted) => TlsPool(cluster.Seed, certificate, trusted);

    private static Pool TlsPool(NodeProcess seed, X509Certificate2 certificate, params string[] trusted) => new(new PoolOptions
    {
        Deployment = PoolDeployment.Cluster,
        SeedNodes = [seed.Endpoint],
        Processes = 2,
        Certificate = certificate,
        TrustedThumbprints = trusted,
    });

    /// <summary>Runs a job of 100 one-item chunks that leave markers; returns the processes that ran them.</summary>
    private int[] RunMarkedJob(Pool pool)
    {
        var input = Enumerable.Range(0, 100).ToList();
        Assert.Equal(input.Select(x => x * 2), pool.StarMap<string, int, int>(MarkAndWork, input.Select(x => (_markers, x)), chunkSize: 1));
        return ProcessMarker.Found(_markers).ToArray();
    }

    private static bool IsMember(Pool pool, NodeProcess node) =>
        Akka.Cluster.Cluster.Get(pool.System).State.Members.Any(m => $"{m.Address.Host}:{m.Address.Port}" == node.Endpoint);

    /// <summary>Waits until <paramref name="node"/>'s log has a line that says all of <paramref name="parts"/>; returns how many such lines it has.</summary>
    internal static int WaitForLogLine(NodeProcess node, params string[] parts)
    {
        int Count() => node.Errors.Split('\n').Count(line => parts.All(part => line.Contains(part, StringComparison.OrdinalIgnoreCase)));
        Assert.True(SpinWait.SpinUntil(() => Count() > 0, Gate.Limit), $"No log line says {string.Join(" and ", parts)}:\n{node.Errors}");
        return Count();
    }

    [Fact]
    public void Cluster_WithTheClusterCertificate_RunsAJobOnTheNodesOverTls()
    {
        using var pool = TlsPool(cluster.Cluster);
        var ran = RunMarkedJob(pool);
        Assert.NotEmpty(ran);
        Assert.All(ran, pid => Assert.Contains(pid, new[] { cluster.Seed.ProcessId, cluster.Second.ProcessId }));
        Assert.Equal(TlsSetup.Protocol, Akka.Cluster.Cluster.Get(pool.System).SelfAddress.Protocol);
    }

    [Fact]
    public void Cluster_PoolWhoseSystemSetupDropsTheTlsAdapter_SpeaksTlsAllTheSame()
    {
        // SystemSetup's configuration goes over the pool's own, but not over its TLS: the certificate decides.
        using var pool = new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.Cluster,
            SeedNodes = [cluster.Seed.Endpoint],
            Processes = 2,
            Certificate = cluster.Cluster,
            SystemSetup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(Akka.Configuration.ConfigurationFactory.ParseString(
                "akka.remote { enabled-transports = [akka.remote.dot-netty.tcp], dot-netty.tcp.applied-adapters = [] }"))),
        });
        Assert.Equal(TlsSetup.Protocol, Akka.Cluster.Cluster.Get(pool.System).SelfAddress.Protocol);
        Assert.Equal([2, 4, 6], pool.Map(Twice, [1, 2, 3], chunkSize: 1));
    }

    [Fact]
    public void Cluster_PoolWithANewCertificateTheNodesWereToldToTrust_RunsAJob()
    {
        // A rotation: the nodes trust the next certificate (--trust), and the pool that presents it trusts theirs.
        using var pool = TlsPool(cluster.Rotated, cluster.Cluster.Thumbprint.ToLowerInvariant());
        Assert.Equal([2, 4, 6], pool.Map(Twice, [1, 2, 3], chunkSize: 1));
    }

    [Fact]
    public void Cluster_StrangersTryingToJoinDuringAJob_AreRefusedAndGetNoWorkWhileTheJobCompletes()
    {
        var seed = cluster.Seed;
        using var otherCertificate = NodeProcess.Start(Functions, seed.Endpoint, arguments: ["--certificate", cluster.StrangerFile], environment: TestCertificates.Environment);
        using var noCertificate = NodeProcess.Start(Functions, seed.Endpoint); // plain TCP, allowed on loopback
        using var plainPool = new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.Cluster, SeedNodes = [seed.Endpoint], Processes = 1, NoWorkerTimeout = TimeSpan.FromSeconds(3),
        });
        var plainJob = plainPool.MapAsync(Twice, [1]);

        using var pool = TlsPool(cluster.Cluster);
        var ran = RunMarkedJob(pool);

        Assert.DoesNotContain(otherCertificate.ProcessId, ran);
        Assert.DoesNotContain(noCertificate.ProcessId, ran);
        WaitForLogLine(seed, "Refused a TLS connection from 127.0.0.1", cluster.Stranger.Thumbprint, "not trusted");
        // The plain node and the plain pool speak the same plain TCP from the same host: one line for both.
        Assert.Equal(1, WaitForLogLine(seed, "Refused a TLS connection from 127.0.0.1", "does not speak TLS"));
        Assert.False(IsMember(pool, otherCertificate) || IsMember(pool, noCertificate), "A stranger is a member.");
        Refused.NeverHadAWorker(plainJob);
        Assert.False(seed.HasExited || cluster.Second.HasExited);
        Assert.Equal([2], pool.Map(Twice, [1]));
    }

    [Fact]
    public async Task Cluster_StrangerTryingAgainAndAgain_IsLoggedOnceAndTheNodeServesOn()
    {
        var seed = cluster.Seed;
        var stranger = TestCertificates.Create("actorpool-test-persistent-stranger");
        for (var i = 0; i < 3; i++)
            await StrangerConnection.TryAsync(seed.Endpoint, stranger);
        // Each refusal is logged before the connection closes, so once the last one below is in the
        // log, every attempt above has been dealt with.
        await StrangerConnection.TryAsync(seed.Endpoint, certificate: null);
        WaitForLogLine(seed, "Refused a TLS connection from 127.0.0.1", "presented no certificate");

        Assert.Equal(1, WaitForLogLine(seed, "Refused a TLS connection from 127.0.0.1", stranger.Thumbprint));
        using var pool = TlsPool(cluster.Cluster);
        Assert.Equal([2], pool.Map(Twice, [1]));
    }

    [Fact]
    public async Task Cluster_PeerPresentingATrustedButExpiredCertificate_IsRefused()
    {
        await StrangerConnection.TryAsync(cluster.Seed.Endpoint, cluster.Expired);
        WaitForLogLine(cluster.Seed, "Refused a TLS connection from 127.0.0.1", cluster.Expired.Thumbprint, "expired on");
    }

    [Fact]
    public void Cluster_MemberWhoseSeedsIncludeAStrangerAndAPlainNode_RefusesThemAndKeepsRunning()
    {
        // Akka.Remote's own TLS (1.5.74) shuts a system down when a handshake it started fails: a
        // stranger at an address a member connects to (a seed, a port a stopped member used) could
        // take it down. Here a member connects to both kinds, then serves the cluster.
        using var stranger = NodeProcess.Start(Functions, arguments: ["--certificate", cluster.StrangerFile], environment: TestCertificates.Environment);
        using var plain = NodeProcess.Start(Functions);
        using var member = NodeProcess.Start(Functions, cluster.Seed.Endpoint,
            arguments: [.. cluster.NodeArguments(cluster.ClusterFile), "--seed", stranger.Endpoint, "--seed", plain.Endpoint],
            environment: TestCertificates.Environment);

        WaitForLogLine(member, $"Refused a TLS connection to {stranger.Endpoint}", cluster.Stranger.Thumbprint, "not trusted");
        WaitForLogLine(member, $"Refused a TLS connection to {plain.Endpoint}");
        // Logged once, by the transport: Akka's own report of the failed association, which it
        // repeats at every retry, is left out.
        Assert.DoesNotContain("ActorPool refused the TLS connection", member.Errors);
        using var pool = TlsPool(cluster.Cluster);
        Assert.True(SpinWait.SpinUntil(() => IsMember(pool, member), Gate.Limit), "The member never joined the cluster.");
        Assert.Equal([2], pool.Map(Twice, [1]));
        Assert.False(member.HasExited);
    }

    [Fact]
    public async Task Node_MoreSilentConnectionsThanTheHandshakeCap_EndsTheOldestAndServesAMemberWhileTheOthersStay()
    {
        // A cap of 4, and a handshake timeout far past the tests' limit: a silent connection closed
        // within the limit was closed by the cap, not for its silence.
        const int Cap = 4, Extra = 2;
        var config = Path.Combine(_markers, "handshakes.hocon");
        File.WriteAllText(config, $"actorpool.tls {{ max-inbound-handshakes = {Cap}, handshake-timeout = 10m }}");
        using var node = NodeProcess.Start(Functions, arguments: [.. cluster.NodeArguments(cluster.ClusterFile), "--config", config], environment: TestCertificates.Environment);
        var port = int.Parse(node.Endpoint[(node.Endpoint.LastIndexOf(':') + 1)..]);
        var strangers = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Cap + Extra; i++)
            {
                var stranger = new TcpClient();
                strangers.Add(stranger);
                await stranger.ConnectAsync(IPAddress.Loopback, port); // and says nothing
            }
            // The node sends nothing first in a TLS handshake: a read ends only when it closes the
            // connection. Which ones it ends depends on the order it accepted them in.
            var open = strangers.Select(ClosedAsync).ToList();
            for (var closed = 0; closed < Extra; closed++)
                open.Remove(await Task.WhenAny(open).WaitAsync(Gate.Limit));
            Assert.Equal(1, WaitForLogLine(node, "Refused a TLS connection from 127.0.0.1", "max-inbound-handshakes"));

            // The cap is full of silent strangers still: a member's handshake takes the oldest one's place.
            using var pool = TlsPool(node, cluster.Cluster);
            Assert.Equal([2, 4, 6], pool.Map(Twice, [1, 2, 3], chunkSize: 1));
            Assert.False(node.HasExited);
        }
        finally
        {
            foreach (var stranger in strangers)
                stranger.Dispose();
        }
    }

    /// <summary>Ends when the other side closes <paramref name="client"/>'s connection (its end of the stream, or a reset).</summary>
    private static async Task ClosedAsync(TcpClient client)
    {
        try
        {
            while (await client.GetStream().ReadAsync(new byte[256]) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Pool_ExpiredCertificate_ThrowsNamingCertificate()
    {
        var error = Assert.Throws<ArgumentException>(() => new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.Cluster, SeedNodes = ["127.0.0.1:1"], Certificate = cluster.Expired,
        }));
        Assert.Equal("options.Certificate", error.ParamName);
        Assert.Contains("expired", error.Message);
    }

    [Fact]
    public void Pool_NonLoopbackHostnameWithoutCertificate_ThrowsNamingCertificateAndAllowInsecure()
    {
        // 192.0.2.1 is for documentation (RFC 5737): nothing may listen there, and nothing tries.
        var error = Assert.Throws<ArgumentException>(() => new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.Cluster, SeedNodes = ["192.0.2.1:4053"], Hostname = "192.0.2.1",
        }));
        Assert.Equal("options.Certificate", error.ParamName);
        Assert.Contains("Certificate", error.Message);
        Assert.Contains("AllowInsecure", error.Message);
    }

    [Fact]
    public void Node_NonLoopbackHostnameWithoutCertificate_ExitsSayingCertificateAndInsecure()
    {
        var error = Assert.Throws<InvalidOperationException>(() => NodeProcess.Start(Functions, arguments: ["--hostname", "192.0.2.1"]));
        Assert.Matches(new Regex("exited with code [1-9]"), error.Message);
        Assert.Contains("--certificate", error.Message);
        Assert.Contains("--insecure", error.Message);
    }

    [Fact]
    public void Node_ConfigFilePuttingItsAddressOffLoopbackWithoutCertificate_ExitsSayingCertificateAndInsecure()
    {
        // --hostname is loopback (the default), the file is not: the file's hostname is overridden by
        // --hostname, its public-hostname is not (peers would be told to reach this plain node at
        // 192.0.2.1, an address for documentation, RFC 5737). Refused before anything listens.
        var config = Path.Combine(_markers, "off-loopback.hocon");
        File.WriteAllText(config, "akka.remote.dot-netty.tcp { hostname = 0.0.0.0, public-hostname = 192.0.2.1 }");
        var error = Assert.Throws<InvalidOperationException>(() => NodeProcess.Start(Functions, arguments: ["--config", config]));
        Assert.Matches(new Regex("exited with code [1-9]"), error.Message);
        Assert.Contains("public-hostname = \"192.0.2.1\"", error.Message);
        Assert.Contains("--certificate", error.Message);
        Assert.Contains("--insecure", error.Message);
    }

    [Fact]
    public void Pool_SystemSetupPuttingItsAddressOffLoopbackWithoutCertificate_ThrowsNamingCertificateAndAllowInsecure()
    {
        // The setup's configuration goes over the pool's own: here it tells peers to reach the pool
        // at 192.0.2.1 (RFC 5737). Refused before the pool's system is created.
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(
            Akka.Configuration.ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.public-hostname = 192.0.2.1")));
        var error = Assert.Throws<ArgumentException>(() => new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.Cluster, SeedNodes = ["127.0.0.1:1"], SystemSetup = setup,
        }));
        Assert.Equal("options.Certificate", error.ParamName);
        Assert.Contains("public-hostname = \"192.0.2.1\"", error.Message);
        Assert.Contains("AllowInsecure", error.Message);
    }

    [Fact]
    public void Node_ExpiredCertificate_ExitsSayingSo()
    {
        var error = Assert.Throws<InvalidOperationException>(() => NodeProcess.Start(Functions,
            arguments: ["--certificate", cluster.Files.Write(cluster.Expired)], environment: TestCertificates.Environment));
        Assert.Matches(new Regex("exited with code [1-9]"), error.Message);
        Assert.Contains("expired", error.Message);
    }
}
