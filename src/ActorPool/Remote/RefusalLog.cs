using System.Collections.Concurrent;
using Akka.Event;

namespace ActorPool.Remote;

/// <summary>
/// Logs each refused peer once, with its address and why, however often it tries again: a peer
/// that retries every few seconds (a misconfigured node, a stranger's scanner) must not fill the log.
/// A peer is its address and what it presented, so that two strangers on one host (each connection
/// comes from a port of its own: the host is all that tells an inbound peer) are each logged.
/// </summary>
internal sealed class RefusalLog(ILoggingAdapter log)
{
    /// <summary>More addresses than a cluster has members: past it, refusals are no longer logged at all, so that a stranger cannot grow the set without bound.</summary>
    private const int MaxPeers = 1024;

    private readonly ConcurrentDictionary<string, bool> _logged = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Logs the refusal of a connection <paramref name="direction"/> ("from host", "to host:port"), unless one was logged already for it.</summary>
    public void Refused(string direction, string reason)
    {
        if (_logged.Count >= MaxPeers || !_logged.TryAdd($"{direction}: {reason}", true))
            return;
        log.Warning("Refused a TLS connection {0}: {1}. Later refusals of this address are not logged.", direction, reason);
    }
}
