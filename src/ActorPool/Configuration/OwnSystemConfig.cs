using Akka.Configuration;

namespace ActorPool.Configuration;

/// <summary>
/// Settings for the ActorSystems ActorPool creates itself (a pool's own system, a node host's),
/// never applied to a system the application passes in. They sit under the application's or the
/// node's configuration file and over <c>reference.conf</c>.
/// </summary>
internal static class OwnSystemConfig
{
    private static readonly Config Instance = ConfigurationFactory.ParseString("""
        # A pool's system is an implementation detail: quiet unless something is wrong.
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters-during-shutdown = off
        akka.cluster.log-info = off
        akka.remote.log-remote-lifecycle-events = off

        # Akka's scheduler clock ticks every 10 ms whether or not a timer is due, and each tick
        # wakes threads that take a core from the workers running user functions. The timers of a
        # pool's system are 200 ms or longer (the cluster's gossip below, its heartbeats, the
        # no-worker timeout), so a coarser clock costs them little.
        akka.scheduler.tick-duration = 50ms

        # A pool's cluster is small (a few node hosts and the pools that use them), and pools come
        # and go: a pool leaves each time it is disposed, and leaving waits for the leader to see,
        # gossip and act on it. Akka's pace (1 s for each) suits clusters of hundreds and made
        # Dispose take 2 to 4 s; a fifth of it costs a few small messages a second.
        akka.cluster.gossip-interval = 200ms
        akka.cluster.leader-actions-interval = 200ms

        # How Akka's split brain resolver decides which side of a cluster lives, the same in every
        # system of a pool's cluster (node hosts and pools' drivers): the side with the oldest
        # member, unless that member is alone, in which case it goes. A pool's cluster is often two
        # nodes and the pools using them, and the default, the side with more members, splits two
        # nodes evenly once the pools have left: it then keeps the side with the lowest address,
        # so a node killed with a lower port than the survivor's took the survivor down (it downed
        # itself), and a pool whose only node died was downed by its own resolver. With the
        # oldest, the seed (started first) outlives any other node, a dead seed alone is downed,
        # and so is a dead lone node while its pools wait for another.
        akka.cluster.split-brain-resolver.active-strategy = keep-oldest
        akka.cluster.split-brain-resolver.keep-oldest.down-if-alone = on

        # The resolver also downs every member, itself included, when reachability has kept
        # changing for stable-after and three quarters of it (35 s) with an unreachable member not
        # yet down. In a pool's cluster pools come and go, and each coming or going puts off the
        # resolver's decision on a dead node: a node killed while a pool ran, then that pool
        # disposed (its leave times out while the dead node blocks convergence, and the nodes down
        # it), took the surviving nodes down 35 s later. Off, the resolver decides on the dead node
        # once membership has been stable for stable-after.
        akka.cluster.split-brain-resolver.down-all-when-unstable = off
        """);

    public static Config Get() => Instance;
}
