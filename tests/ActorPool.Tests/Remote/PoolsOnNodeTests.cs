using ActorPool.Remote;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorPool.Tests.Remote;

public sealed class PoolsOnNodeTests : TestKit
{
    [Fact]
    public void DriverGone_ItsPoolsWorkStaysCancelledAndOtherPoolsGoOn()
    {
        var pools = new PoolsOnNode();
        var gone = CreateTestProbe().Ref;
        var other = ActorRefs.Nobody;
        var running = pools.Of(gone).Acquire(1, 0);
        Assert.False(pools.Of(other).IsCancelled(1));

        pools.DriverGone(gone.Path.Address);

        Assert.True(SpinWait.SpinUntil(() => running.IsCancellationRequested, Gate.Limit));
        Assert.True(pools.Of(gone).IsCancelled(2)); // a chunk still waiting in a worker's mailbox is skipped
        Assert.Equal(1, pools.Count); // only the other pool is kept
    }

    [Fact]
    public void CancelTasks_OneJobOrEveryJobOfOnePool()
    {
        var pools = new PoolsOnNode();
        var first = CreateTestProbe().Ref;
        var second = CreateTestProbe().Ref;
        pools.Cancel(first, 7);
        Assert.True(pools.Of(first).IsCancelled(7));
        Assert.False(pools.Of(first).IsCancelled(8));
        pools.Cancel(second, null);
        Assert.True(pools.Of(second).IsCancelled(8));
        Assert.False(pools.Of(first).IsCancelled(8));
    }
}
