using System.Text.RegularExpressions;
using ActorPool.Deployment;
using ActorPool.Remote;
using ActorPool.Testing;

namespace ActorPool.Tests.Remote;

public sealed class NodeProcessTests
{
    // The testing harness keeps its own copy of the ready line so that it needs no internals of
    // the library: if the node host ever prints another, the harness must follow.
    [Fact]
    public void ReadyLine_IsTheOneTheNodeHostPrints() =>
        Assert.Equal(DistributedDeployment.NodeReadyLine, NodeProcess.ReadyLine);

    // Read by the node's actor as it starts: checked before the node serves, or a wrong one would
    // leave a node that joins its cluster with no workers.
    [Theory]
    [InlineData("actorpool.idle-spin = 2ms", "actorpool.idle-spin")]
    [InlineData("actorpool.async-items-per-worker = 0", "actorpool.async-items-per-worker")]
    public void Node_ConfigFileWithAWorkerSettingOutOfRange_ExitsNamingIt(string setting, string named)
    {
        using var folder = new TempFolder();
        var config = Path.Combine(folder.Path, "node.hocon");
        File.WriteAllText(config, setting);
        var error = Assert.Throws<InvalidOperationException>(() => NodeProcess.Start(typeof(NodeProcessTests).Assembly, arguments: ["--config", config]).Dispose()); // a node that started is stopped
        Assert.Matches(new Regex("exited with code [1-9]"), error.Message);
        Assert.Contains(named, error.Message);
    }
}
