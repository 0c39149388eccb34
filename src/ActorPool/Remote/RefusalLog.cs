using System.Collections.Concurrent;
using Akka.Event;

namespace ActorPool.Remote;

/// <summary>
/// Logs each refused peer once, with its address and why, however often it tries again: a peer
/// that retries every few seconds (a misconfigured node, a stranger's scanner) or floods a node with
/// work must not fill the log. A peer is its address and what it presented, so that two strangers on
/// one host (each connection comes from a port of its own: the host is all that tells an inbound
/// peer) are each logged.
/// </summary>
/// <param name="log">Where refusals go, as warnings.</param>
/// <param name="what">What is refused, as the log names it ("a TLS connection", "a batch of work").</param>
internal sealed class RefusalLog(ILoggingAdapter log, string what = "a TLS connection")
{
    /// <summary>More addresses than a cluster has members: past it, refusals are no longer logged at all, so that a stranger cannot grow the set without bound.</summary>
    private const int MaxPeers = 1024;

    private readonly ConcurrentDictionary<string, bool> _logged = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Logs a refusal <paramref name="direction"/> ("from host", "to host:port"), unless one was logged already for it with the same <paramref name="reason"/>.</summary>
    public void Refused(string direction, string reason)
    {
        if (_logged.Count >= MaxPeers || !_logged.TryAdd($"{direction}: {reason}", true))
            return;
        log.Warning("Refused {0} {1}: {2}. Later refusals of this address are not logged.", what, direction, reason);
    }
}
