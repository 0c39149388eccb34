using ActorPool.Protocol;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;

namespace ActorPool.Remote;

/// <summary>
/// Runs on every node host: downs a pool's driver (a member with the driver role) that has become
/// unreachable, so that a driver that died never blocks the cluster.
/// </summary>
/// <remarks>
/// <para>While a member is unreachable and not down, the cluster has no convergence: no member
/// joins as Up and no member can leave, so every pool disposed meanwhile waits out Akka's exit
/// timeout (10 s) and then becomes unreachable itself. Akka's split brain resolver downs
/// unreachable members only after a stable period (<c>stable-after</c>, 20 s) in which no member
/// joined, left or changed reachability, and every pool that comes or goes restarts that period:
/// with pools coming and going every few seconds, one driver killed while Up kept a cluster in that
/// state for good (seen in the test suite, where it made a later pool wait in vain for workers).</para>
/// <para>A driver holds no work of the cluster's: downing it costs the cluster nothing, and its own
/// pool has lost its workers anyway. One that was leaving is downed at once, since it was going;
/// one that was Up (or joining) after <c>actorpool.remote.down-unreachable-driver-after</c>, so
/// that a driver that only stalls (a long garbage collection) survives as long as the resolver
/// would let it. Each node decides alone; downing is idempotent.</para>
/// </remarks>
internal sealed class DriverDowning : UntypedActor, IWithTimers
{
    private sealed record DownIfStillUnreachable(UniqueAddress Driver);

    private readonly TimeSpan _grace;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public DriverDowning(TimeSpan grace) => _grace = grace;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The actor's name under <c>/user</c>.</summary>
    public const string Name = "actorpool-driver-downing";

    public static Props Props(TimeSpan grace) => Akka.Actor.Props.Create(() => new DriverDowning(grace));

    /// <summary><c>actorpool.remote.down-unreachable-driver-after</c>, checked.</summary>
    public static TimeSpan Grace(Config config)
    {
        var grace = config.GetTimeSpan("actorpool.remote.down-unreachable-driver-after", null);
        return grace >= TimeSpan.Zero ? grace
            : throw new ConfigurationException($"actorpool.remote.down-unreachable-driver-after must be 0s or more, but is {grace}.");
    }

    /// <summary>How long after it became unreachable <paramref name="member"/> is downed; null if it is left to Akka.</summary>
    public static TimeSpan? DownAfter(Member member, TimeSpan grace) =>
        !member.HasRole(ClusterNames.DriverRole) ? null
        : member.Status switch
        {
            MemberStatus.Leaving => TimeSpan.Zero,
            MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up => grace,
            _ => null, // Exiting and Down members do not block convergence; Removed ones are gone
        };

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ClusterEvent.UnreachableMember unreachable:
                Consider(unreachable.Member);
                break;
            case ClusterEvent.ReachableMember reachable:
                Timers.Cancel(reachable.Member.UniqueAddress);
                break;
            case ClusterEvent.MemberRemoved removed:
                Timers.Cancel(removed.Member.UniqueAddress);
                break;
            case DownIfStillUnreachable due when _cluster.State.Unreachable.FirstOrDefault(m => m.UniqueAddress.Equals(due.Driver)) is { } member:
                Down(member, $"unreachable for {_grace.TotalSeconds:0.#} s");
                break;
            case DownIfStillUnreachable:
                break; // reachable again, or gone
            case ClusterEvent.IReachabilityEvent or ClusterEvent.IMemberEvent:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Consider(Member member)
    {
        switch (DownAfter(member, _grace))
        {
            case { } after when after <= TimeSpan.Zero:
                Down(member, $"unreachable while {member.Status}");
                break;
            case { } after:
                if (!Timers.IsTimerActive(member.UniqueAddress))
                    Timers.StartSingleTimer(member.UniqueAddress, new DownIfStillUnreachable(member.UniqueAddress), after);
                break;
        }
    }

    private void Down(Member member, string why)
    {
        _log.Warning("ActorPool node: downing the pool driver {0}, {1}, so that it does not hold the cluster back.", member.Address, why);
        _cluster.Down(member.Address);
    }
}
