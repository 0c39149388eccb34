using ActorPool.Protocol;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;

namespace ActorPool.Remote;

/// <summary>
/// Runs on node hosts (unless <c>actorpool.remote.down-unreachable-driver-after</c> is <c>off</c>):
/// downs a pool's driver (a member with the driver role) that has become unreachable and does not
/// answer, so that a driver that died never blocks the cluster.
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
/// pool has lost its workers anyway. One that was leaving is probed at once, since it was going;
/// one that was Up (or joining) after <c>actorpool.remote.down-unreachable-driver-after</c>, so
/// that a driver that only stalls (a long garbage collection) survives as long as the resolver
/// would let it.</para>
/// <para>Two guards keep a healthy driver up. Unreachability is what any member observed, a dying
/// one included, so before downing the node asks the driver itself (an <see cref="Identify"/> to
/// its system guardian) and downs it only if no answer comes within <see cref="ProbeTimeout"/>.
/// And one node host decides, the one with the lowest address among the reachable members with
/// <see cref="Role"/> (the node hosts that run this actor) in its own view; the others keep
/// watching, to take over if it goes. Views can differ for a moment, and downing is idempotent.</para>
/// </remarks>
internal sealed class DriverDowning : UntypedActor, IWithTimers
{
    private sealed record Due(UniqueAddress Driver);

    private sealed record ProbeExpired(UniqueAddress Driver);

    /// <summary>How long a driver that looks unreachable has to answer this node before it is downed.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    private readonly TimeSpan _grace;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public DriverDowning(TimeSpan grace) => _grace = grace;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The cluster role of the node hosts that run this actor.</summary>
    public const string Role = "actorpool-driver-downing";

    /// <summary>The actor's name under <c>/user</c>.</summary>
    public const string Name = "actorpool-driver-downing";

    public static Props Props(TimeSpan grace) => Akka.Actor.Props.Create(() => new DriverDowning(grace));

    /// <summary><c>actorpool.remote.down-unreachable-driver-after</c>, checked; null when it is <c>off</c>.</summary>
    public static TimeSpan? Grace(Config config)
    {
        const string Path = "actorpool.remote.down-unreachable-driver-after";
        if (config.GetString(Path, null) is "off")
            return null;
        var grace = config.GetTimeSpan(Path, null);
        return grace >= TimeSpan.Zero ? grace
            : throw new ConfigurationException($"{Path} must be 0s or more, or off, but is {grace}.");
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
            typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.MemberLeft));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ClusterEvent.UnreachableMember unreachable:
                Watch(unreachable.Member);
                break;
            case ClusterEvent.MemberLeft left when left.Member.HasRole(ClusterNames.DriverRole) && Unreachable(left.Member.UniqueAddress) is not null:
                // Unreachable before it was seen leaving: it is going. Probe it now, whatever the
                // timer set when it became unreachable.
                Timers.StartSingleTimer(left.Member.UniqueAddress, new Due(left.Member.UniqueAddress), TimeSpan.Zero);
                break;
            case ClusterEvent.ReachableMember reachable:
                Forget(reachable.Member.UniqueAddress);
                break;
            case ClusterEvent.MemberRemoved removed:
                Forget(removed.Member.UniqueAddress);
                break;
            case Due due when Unreachable(due.Driver) is { } member && DownAfter(member, _grace) is not null:
                if (!Decides())
                {
                    Timers.StartSingleTimer(due.Driver, due, LookAgain); // another node decides; look again later
                    break;
                }
                // The probe's id is a string: it crosses the wire, and Akka's serializers know strings.
                Context.ActorSelection(new RootActorPath(member.Address) / "system").Tell(new Identify(due.Driver.ToString()), Self);
                Timers.StartSingleTimer(due.Driver, new ProbeExpired(due.Driver), ProbeTimeout);
                break;
            case ActorIdentity { MessageId: string id, Subject: not null } when UnreachableById(id) is { } member:
                // It answered this node: someone else's observation (perhaps a member that died
                // since) keeps it unreachable. Look again after the grace. (An answer without a
                // subject comes from this node's own dead letters, when the driver's address is
                // gated: that is no answer from the driver.)
                Timers.StartSingleTimer(member.UniqueAddress, new Due(member.UniqueAddress), LookAgain);
                break;
            case ProbeExpired expired when Unreachable(expired.Driver) is { } member && DownAfter(member, _grace) is not null:
                _log.Warning("ActorPool node: downing the pool driver {0} ({1}, unreachable, no answer within {2} s), so that it does not hold the cluster back.",
                    member.Address, member.Status, ProbeTimeout.TotalSeconds);
                _cluster.Down(member.Address);
                break;
            case Due or ProbeExpired or ActorIdentity:
                break; // reachable again, gone, or no longer blocking
            case ClusterEvent.IReachabilityEvent or ClusterEvent.IMemberEvent:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>How soon a driver still unreachable is looked at again: never more often than the probe takes.</summary>
    private TimeSpan LookAgain => _grace > ProbeTimeout ? _grace : ProbeTimeout;

    private void Watch(Member member)
    {
        if (DownAfter(member, _grace) is { } after && !Timers.IsTimerActive(member.UniqueAddress))
            Timers.StartSingleTimer(member.UniqueAddress, new Due(member.UniqueAddress), after);
    }

    private void Forget(UniqueAddress member) => Timers.Cancel(member);

    private Member? Unreachable(UniqueAddress member) =>
        _cluster.State.Unreachable.FirstOrDefault(m => m.UniqueAddress.Equals(member));

    private Member? UnreachableById(string id) =>
        _cluster.State.Unreachable.FirstOrDefault(m => m.UniqueAddress.ToString() == id);

    /// <summary>Whether this node is the one that decides: the lowest address among the reachable members that run this actor.</summary>
    private bool Decides()
    {
        var state = _cluster.State;
        var decider = state.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp && m.HasRole(Role) && !state.Unreachable.Contains(m))
            .OrderBy(m => m.Address, Member.AddressOrdering)
            .FirstOrDefault();
        return decider is not null && decider.Address.Equals(_cluster.SelfAddress);
    }
}
