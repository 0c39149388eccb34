using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorPool.Tests.Coordination;

/// <summary>Actors in the same ActorSystem use a pool by message, through its router.</summary>
public sealed class PoolRouterActorTests : TestKit
{
    private static int Square(int x) => x * x;

    private Pool NewPool(PoolRouting routing = PoolRouting.WorkPulling) =>
        new(new PoolOptions { Processes = 2, Routing = routing, ActorSystem = Sys });

    [Theory]
    [InlineData(PoolRouting.RoundRobin)]
    [InlineData(PoolRouting.SmallestMailbox)]
    [InlineData(PoolRouting.WorkPulling)]
    public void MapRequest_FromAnActor_RepliesResultsInInputOrder(PoolRouting routing)
    {
        using var pool = NewPool(routing);
        pool.Router.Tell(new MapRequest<int, int>(Square, Enumerable.Range(0, 100).ToList(), ChunkSize: 7), TestActor);
        Assert.Equal(Enumerable.Range(0, 100).Select(Square), ExpectMsg<IReadOnlyList<int>>());
    }

    [Fact]
    public async Task MapRequest_Ask_ReturnsTheList()
    {
        using var pool = NewPool();
        var results = await pool.Router.Ask<IReadOnlyList<int>>(new MapRequest<int, int>(Square, [1, 2, 3]));
        Assert.Equal([1, 4, 9], results);
    }

    [Fact]
    public void MapRequest_WorkerThrows_RepliesStatusFailureWithTheException()
    {
        using var pool = NewPool();
        pool.Router.Tell(new MapRequest<int, int>(x => x == 2 ? throw new FormatException("two") : x, [1, 2, 3]), TestActor);
        var failure = ExpectMsg<Status.Failure>();
        Assert.Equal("two", Assert.IsType<FormatException>(failure.Cause).Message);
    }

    [Fact]
    public void MapRequest_BadArguments_RepliesStatusFailureNamingThem()
    {
        using var pool = NewPool();
        pool.Router.Tell(new MapRequest<int, int>(Square, [1], ChunkSize: 0), TestActor);
        Assert.Equal("ChunkSize", Assert.IsType<ArgumentOutOfRangeException>(ExpectMsg<Status.Failure>().Cause).ParamName);
        pool.Router.Tell(new MapRequest<int, int>(null!, [1]), TestActor);
        Assert.Equal("Func", Assert.IsType<ArgumentNullException>(ExpectMsg<Status.Failure>().Cause).ParamName);
    }

    [Fact]
    public void MapRequest_EmptyList_RepliesEmptyList()
    {
        using var pool = NewPool();
        pool.Router.Tell(new MapRequest<int, int>(Square, []), TestActor);
        Assert.Empty(ExpectMsg<IReadOnlyList<int>>());
    }

    [Fact]
    public void ApplyRequest_FromAnActor_RepliesTheValueOrTheFailure()
    {
        using var pool = NewPool();
        pool.Router.Tell(new ApplyRequest<int>(() => 6 * 7), TestActor);
        ExpectMsg(42);
        pool.Router.Tell(new ApplyRequest<int>(() => throw new TimeZoneNotFoundException("tz")), TestActor);
        Assert.IsType<TimeZoneNotFoundException>(ExpectMsg<Status.Failure>().Cause);
    }

    [Fact]
    public void MapRequest_HugeChunkSize_RepliesAndThePoolCarriesOn()
    {
        using var pool = NewPool();
        pool.Router.Tell(new MapRequest<int, int>(Square, [1, 2, 3], ChunkSize: int.MaxValue), TestActor);
        Assert.Equal([1, 4, 9], ExpectMsg<IReadOnlyList<int>>());
        Assert.Equal([16], pool.Map(Square, [4]));
    }

    [Fact]
    public void ApplyRequest_NullResult_RepliesStatusSuccessAndThePoolCarriesOn()
    {
        using var pool = new Pool(new PoolOptions { Processes = 1, ActorSystem = Sys });
        pool.Router.Tell(new ApplyRequest<string?>(() => null), TestActor);
        Assert.Null(ExpectMsg<Status.Success>().Status);
        Assert.Equal(4, pool.Apply(Square, 2));
    }

    [Fact]
    public void Request_AfterClose_RepliesNotRunning()
    {
        var pool = NewPool();
        pool.Close();
        pool.Router.Tell(new ApplyRequest<int>(() => 1), TestActor);
        Assert.IsType<InvalidOperationException>(ExpectMsg<Status.Failure>().Cause);
        pool.Join();
    }

    [Fact]
    public void Terminate_OutstandingActorRequest_RepliesPoolTerminated()
    {
        var pool = NewPool();
        var gate = new Gate();
        var started = new Signal();
        pool.Router.Tell(new ApplyRequest<int>(() => { started.Set(); gate.Pass(); return 1; }), TestActor);
        started.WaitFor();
        pool.Terminate();
        Assert.IsType<PoolTerminatedException>(ExpectMsg<Status.Failure>().Cause);
        gate.Open();
        pool.Join();
    }

    [Fact]
    public void Dispose_PoolInAnExistingSystem_LeavesTheSystemRunning()
    {
        var pool = NewPool();
        Assert.Equal([4], pool.Map(Square, [2]));
        var router = pool.Router;
        Watch(router);
        pool.Dispose();
        ExpectTerminated(router);
        Assert.False(Sys.WhenTerminated.IsCompleted);
        using var another = NewPool(); // the system still serves new pools
        Assert.Equal([9], another.Map(Square, [3]));
    }
}
