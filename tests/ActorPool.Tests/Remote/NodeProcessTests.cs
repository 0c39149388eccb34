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
}
