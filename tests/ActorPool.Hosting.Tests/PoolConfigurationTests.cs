using ActorPool.Testing;
using Microsoft.Extensions.Configuration;

namespace ActorPool.Hosting.Tests;

public sealed class PoolConfigurationTests : IDisposable
{
    private static readonly System.Security.Cryptography.X509Certificates.X509Certificate2 Cluster = TestCertificates.Create("actorpool-hosting-test");
    private readonly TestCertificates _files = new();

    public void Dispose() => _files.Dispose();

    private static PoolOptions Read(Dictionary<string, string?> values, string? contentRoot = null, Dictionary<string, string>? environment = null) =>
        PoolConfiguration.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("ActorPool"),
            contentRoot, name => environment?.GetValueOrDefault(name));

    [Fact]
    public void Read_EveryKey_SetsItsOption()
    {
        var options = Read(new()
        {
            ["ActorPool:Name"] = "jobs",
            ["ActorPool:Processes"] = "5",
            ["ActorPool:Routing"] = "workpulling",
            ["ActorPool:MaxTasksPerChild"] = "10",
            ["ActorPool:Deployment"] = "CLUSTER",
            ["ActorPool:SeedNodes:0"] = "10.0.0.1:4053",
            ["ActorPool:SeedNodes:1"] = "10.0.0.2:4053",
            ["ActorPool:Hostname"] = "10.0.0.9",
            ["ActorPool:Port"] = "4100",
            ["ActorPool:WorkerRole"] = "gpu",
            ["ActorPool:MaxWorkerLosses"] = "2",
            ["ActorPool:NoWorkerTimeout"] = "00:00:30",
            ["ActorPool:NodeHostPath"] = "/opt/ActorPool.Node.dll",
            ["ActorPool:JournalPath"] = "jobs.db",
            ["ActorPool:Certificate:Path"] = _files.Write(Cluster),
            ["ActorPool:Certificate:Password"] = TestCertificates.Password,
            ["ActorPool:TrustedThumbprints:0"] = "AB:CD",
            ["ActorPool:TrustedThumbprints:1"] = "ef01",
            ["ActorPool:AllowInsecure"] = "True",
        });

        Assert.Equal("jobs", options.Name);
        Assert.Equal(5, options.Processes);
        Assert.Equal(PoolRouting.WorkPulling, options.Routing);
        Assert.Equal(10, options.MaxTasksPerChild);
        Assert.Equal(PoolDeployment.Cluster, options.Deployment);
        Assert.Equal(["10.0.0.1:4053", "10.0.0.2:4053"], options.SeedNodes);
        Assert.Equal("10.0.0.9", options.Hostname);
        Assert.Equal(4100, options.Port);
        Assert.Equal("gpu", options.WorkerRole);
        Assert.Equal(2, options.MaxWorkerLosses);
        Assert.Equal(TimeSpan.FromSeconds(30), options.NoWorkerTimeout);
        Assert.Equal("/opt/ActorPool.Node.dll", options.NodeHostPath);
        Assert.Equal("jobs.db", options.JournalPath);
        Assert.Equal(Cluster.Thumbprint, options.Certificate?.Thumbprint);
        Assert.True(options.Certificate!.HasPrivateKey);
        Assert.Equal(["AB:CD", "ef01"], options.TrustedThumbprints);
        Assert.True(options.AllowInsecure);
    }

    [Fact]
    public void Read_NoSection_KeepsTheDefaults()
    {
        var options = Read(new());
        var defaults = new PoolOptions();

        Assert.Equal(defaults.Processes, options.Processes);
        Assert.Equal(defaults.Routing, options.Routing);
        Assert.Equal(defaults.Deployment, options.Deployment);
        Assert.Empty(options.SeedNodes);
        Assert.Equal(defaults.Hostname, options.Hostname);
        Assert.Equal(defaults.WorkerRole, options.WorkerRole);
        Assert.Null(options.Name);
        Assert.Null(options.Certificate);
        Assert.Empty(options.TrustedThumbprints);
        Assert.False(options.AllowInsecure);
    }

    [Fact]
    public void Read_SeedNodesAsOneString_SplitsAtCommas()
    {
        var options = Read(new() { ["ActorPool:SeedNodes"] = "10.0.0.1:4053, 10.0.0.2:4053" });

        Assert.Equal(["10.0.0.1:4053", "10.0.0.2:4053"], options.SeedNodes);
    }

    [Fact]
    public void Read_TrustedThumbprintsAsOneString_SplitsAtCommas()
    {
        var options = Read(new() { ["ActorPool:TrustedThumbprints"] = "AB12, CD34" });

        Assert.Equal(["AB12", "CD34"], options.TrustedThumbprints);
    }

    [Fact]
    public void Read_CertificateWithoutPassword_OpensItWithThePasswordOfTheEnvironment()
    {
        var options = Read(new() { ["ActorPool:Certificate:Path"] = _files.Write(Cluster) },
            environment: new() { ["ACTORPOOL_CERTIFICATE_PASSWORD"] = TestCertificates.Password });

        Assert.Equal(Cluster.Thumbprint, options.Certificate?.Thumbprint);
    }

    [Fact]
    public void Read_CertificatePathRelative_IsReadFromTheContentRoot()
    {
        var file = _files.Write(Cluster);

        var options = Read(new() { ["ActorPool:Certificate:Path"] = Path.GetFileName(file), ["ActorPool:Certificate:Password"] = TestCertificates.Password },
            contentRoot: Path.GetDirectoryName(file));

        Assert.Equal(Cluster.Thumbprint, options.Certificate?.Thumbprint);
    }

    [Fact]
    public void Read_CertificateWithTheWrongPassword_FailsNamingThePathAndThePassword()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(new()
        {
            ["ActorPool:Certificate:Path"] = _files.Write(Cluster), ["ActorPool:Certificate:Password"] = "not it",
        }, environment: new() { ["ACTORPOOL_CERTIFICATE_PASSWORD"] = TestCertificates.Password })); // the key's password wins

        Assert.StartsWith("Configuration ActorPool:Certificate:Path:", error.Message);
        Assert.Contains("ActorPool:Certificate:Password", error.Message);
    }

    [Theory]
    [InlineData("Certificate:Path", "/nonexistent/cluster.pfx", "ActorPool:Certificate:Path", "cannot be read")]
    [InlineData("Certificate:Password", "secret", "ActorPool:Certificate:Path", "is missing")] // a password, but no file
    [InlineData("Certificate:KeyPath", "cluster.key", "ActorPool:Certificate:KeyPath", "the settings are Path, Password")] // Kestrel's PEM key: not here
    [InlineData("Certificate", "cluster.pfx", "ActorPool:Certificate", "ActorPool:Certificate:Path")] // the file goes under Path
    [InlineData("AllowInsecure", "yes", "ActorPool:AllowInsecure", "not true or false")]
    public void Read_BadTrustSetting_FailsNamingTheKeyAndWhy(string key, string value, string named, string why)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(new() { ["ActorPool:" + key] = value }));

        Assert.StartsWith($"Configuration {named}:", error.Message);
        Assert.Contains(why, error.Message);
    }

    [Theory]
    [InlineData("Processes", "many", "ActorPool:Processes")]
    [InlineData("Deployment", "Cloud", "ActorPool:Deployment")]
    [InlineData("Routing", "2", "ActorPool:Routing")]
    [InlineData("NoWorkerTimeout", "soon", "ActorPool:NoWorkerTimeout")]
    [InlineData("NoWorkerTimeout", "60", "ActorPool:NoWorkerTimeout")] // TimeSpan would read sixty days
    [InlineData("Proceses", "4", "ActorPool:Proceses")]
    public void Read_BadValueOrUnknownKey_FailsNamingTheKey(string key, string value, string named)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(new() { ["ActorPool:" + key] = value }));

        Assert.StartsWith($"Configuration {named}:", error.Message);
    }
}
