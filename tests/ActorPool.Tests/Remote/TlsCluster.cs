using System.Security.Cryptography.X509Certificates;
using ActorPool.Testing;

namespace ActorPool.Tests.Remote;

/// <summary>
/// A two-node cluster over TLS shared by the tests of one class: both nodes present
/// <see cref="Cluster"/> and also trust <see cref="Rotated"/> (the next certificate, as during a
/// rotation) and <see cref="Expired"/> (trusted, but past its validity).
/// </summary>
public sealed class TlsCluster : TwoNodeCluster
{
    public TlsCluster()
    {
        Cluster = TestCertificates.Create("actorpool-test-cluster");
        Rotated = TestCertificates.Create("actorpool-test-rotated");
        Stranger = TestCertificates.Create("actorpool-test-stranger");
        Expired = TestCertificates.Create("actorpool-test-expired", DateTimeOffset.UtcNow.AddDays(-2), TimeSpan.FromDays(1));
        ClusterFile = Files.Write(Cluster);
        StrangerFile = Files.Write(Stranger);
    }

    public TestCertificates Files { get; } = new();

    /// <summary>The certificate of the cluster's nodes.</summary>
    public X509Certificate2 Cluster { get; }

    /// <summary>A second certificate the nodes were told to trust (<c>--trust</c>).</summary>
    public X509Certificate2 Rotated { get; }

    /// <summary>A certificate nobody trusts.</summary>
    public X509Certificate2 Stranger { get; }

    /// <summary>A certificate the nodes trust by thumbprint, whose validity ended yesterday.</summary>
    public X509Certificate2 Expired { get; }

    public string ClusterFile { get; }

    public string StrangerFile { get; }

    /// <summary>The node host arguments of a node that presents <paramref name="certificateFile"/>, trusting the rotated and the expired certificates too.</summary>
    public string[] NodeArguments(string certificateFile) =>
        ["--certificate", certificateFile, "--trust", Rotated.Thumbprint, "--trust", Expired.Thumbprint.ToLowerInvariant()]; // any case

    /// <summary>Starts a node of the cluster's certificate; the caller stops it.</summary>
    public override NodeProcess StartNode(string? seed = null) =>
        NodeProcess.Start(typeof(TlsCluster).Assembly, seed, arguments: NodeArguments(ClusterFile), environment: TestCertificates.Environment);

    public override void Dispose()
    {
        base.Dispose();
        Files.Dispose();
    }
}
