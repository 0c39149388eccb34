using ActorPool.Deployment;
using Akka.Event;

namespace ActorPool.Tests.Remote;

public sealed class NodeLogLineTests
{
    [Theory]
    [InlineData("fail: ActorPool.Workers.WorkerActor[0] chunk 3 failed", LogLevel.ErrorLevel, "ActorPool.Workers.WorkerActor[0] chunk 3 failed")]
    [InlineData("crit: Akka.Actor.ActorSystem[0] down", LogLevel.ErrorLevel, "Akka.Actor.ActorSystem[0] down")]
    [InlineData("warn: Akka.Actor.ActorSystem[0] slow", LogLevel.WarningLevel, "Akka.Actor.ActorSystem[0] slow")]
    [InlineData("info: ActorPool.Remote.NodeActor[0] replaced", LogLevel.InfoLevel, "ActorPool.Remote.NodeActor[0] replaced")]
    [InlineData("dbug: x", LogLevel.DebugLevel, "x")]
    [InlineData("something a task printed", LogLevel.WarningLevel, "something a task printed")]
    [InlineData("warning: not a level prefix", LogLevel.WarningLevel, "warning: not a level prefix")]
    public void Parse_NodeHostLine_LevelAndTextWithoutThePrefix(string line, LogLevel level, string text)
    {
        Assert.Equal((level, text), NodeLogLine.Parse(line));
    }
}
