using System.Net;

namespace ActorPool.Remote;

/// <summary>Which host names stay on this machine: the only ones a process of a pool's cluster may listen on without TLS, unless told it may.</summary>
internal static class LoopbackHost
{
    /// <summary>
    /// Whether <paramref name="hostname"/> is <c>localhost</c> or a loopback address (127.0.0.0/8,
    /// <c>::1</c>). Told from the name alone, without a DNS lookup: any other name may reach
    /// another machine.
    /// </summary>
    public static bool Is(string hostname) =>
        hostname.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || IPAddress.TryParse(hostname.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
}
