namespace ActorPool.Tests.Routing;

/// <summary>What WorkPulling promises beyond the contract: work goes to workers that have room.</summary>
public sealed class WorkPullingTests
{
    [Fact]
    public void BusyWorker_GetsNoWorkWhileAnotherIsIdle()
    {
        using var pool = new Pool(new PoolOptions { Processes = 2, Routing = PoolRouting.WorkPulling });
        var gate = new Gate();
        var started = new Signal();
        var longTask = pool.ApplyAsync(() => { started.Set(); gate.Pass(); return -1; });
        started.WaitFor();
        // Round-robin would queue every other one of these behind the blocked task, and Get would
        // never return; smallest-mailbox would too, since the busy worker's mailbox is empty.
        for (var i = 0; i < 20; i++)
            Assert.Equal(i, pool.ApplyAsync(x => x, i).Get(Gate.Limit));
        gate.Open();
        Assert.Equal(-1, longTask.Get(Gate.Limit));
    }
}
