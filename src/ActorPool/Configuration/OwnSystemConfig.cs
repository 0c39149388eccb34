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
        """);

    public static Config Get() => Instance;
}
