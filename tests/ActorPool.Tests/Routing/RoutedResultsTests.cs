using ActorPool.Configuration;
using ActorPool.Observability;
using ActorPool.Protocol;
using ActorPool.Routing;
using ActorPool.Workers;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorPool.Tests.Routing;

/// <summary>Results a node's worker sends through the pool's router reach their reply addresses.</summary>
public sealed class RoutedResultsTests : TestKit
{
    /// <summary>A worker that never answers: the test is about what comes back, not what goes out.</summary>
    private sealed class IdleWorker : ReceiveActor
    {
        public IdleWorker() => ReceiveAny(_ => { });
    }

    [Fact]
    public void RoutedResults_EachReachesItsAddress_ConsecutiveOnesForOneAddressInOneMessage()
    {
        var settings = PoolSettings.Create(new PoolOptions { Processes = 1 }, ReferenceConfig.Get(), new PoolTelemetry("test"));
        var router = Sys.ActorOf(WorkPullingRouter.Props(Props.Create<IdleWorker>(), settings, new BatchClaims<IActorRef>(), new TaskCancellation()));
        var first = CreateTestProbe();
        var second = CreateTestProbe();

        router.Tell(new RoutedResults([first.Ref, first.Ref, second.Ref, first.Ref], ["f0", "f1", "s0", "f2"]));

        Assert.Equal(["f0", "f1"], first.ExpectMsg<ChunkResults>().Results.Cast<string>());
        Assert.Equal("f2", first.ExpectMsg<string>());
        Assert.Equal("s0", second.ExpectMsg<string>());
    }
}
