namespace ActorPool.Tests.Contract;

public sealed class RoundRobinPoolContract : PoolContract
{
    protected override PoolRouting Routing => PoolRouting.RoundRobin;
}

public sealed class SmallestMailboxPoolContract : PoolContract
{
    protected override PoolRouting Routing => PoolRouting.SmallestMailbox;
}

public sealed class WorkPullingPoolContract : PoolContract
{
    protected override PoolRouting Routing => PoolRouting.WorkPulling;
}
