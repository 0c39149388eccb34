namespace ActorPool.Tests.Contract;

public sealed class RoundRobinPoolContract : SharedMemoryPoolContract
{
    protected override PoolRouting Routing => PoolRouting.RoundRobin;
}

public sealed class SmallestMailboxPoolContract : SharedMemoryPoolContract
{
    protected override PoolRouting Routing => PoolRouting.SmallestMailbox;
}

public sealed class WorkPullingPoolContract : SharedMemoryPoolContract
{
    protected override PoolRouting Routing => PoolRouting.WorkPulling;

    [Fact]
    public void Stragglers_WorkBehindALongTask_IsTakenBackByAnIdleWorker() => AssertTheWorkBehindALongTaskRunsElsewhere();

    [Fact]
    public void Speculative_AStragglerIsRunAgainOnAnIdleWorker_TheFirstResultWinsAndTheOtherIsCancelled() =>
        AssertAStragglerIsRunAgainAndTheLoserCancelled();
}
