using Microsoft.Extensions.Configuration;

namespace ActorPool.Hosting.Tests;

public sealed class PoolConfigurationTests
{
    private static PoolOptions Read(Dictionary<string, string?> values) =>
        PoolConfiguration.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("ActorPool"));

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
    }

    [Fact]
    public void Read_SeedNodesAsOneString_SplitsAtCommas()
    {
        var options = Read(new() { ["ActorPool:SeedNodes"] = "10.0.0.1:4053, 10.0.0.2:4053" });

        Assert.Equal(["10.0.0.1:4053", "10.0.0.2:4053"], options.SeedNodes);
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
