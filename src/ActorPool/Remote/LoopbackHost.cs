using System.Net;
using Akka.Configuration;

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

    /// <summary>Akka.Remote's one transport, when <c>akka.remote.enabled-transports</c> is not set.</summary>
    private const string DefaultTransport = "akka.remote.dot-netty.tcp";

    /// <summary>
    /// The first setting of <paramref name="config"/>, a system's configuration as it is created
    /// (every layer merged), that takes its remoting off loopback, as <c>path = "value"</c>; null if
    /// there is none. For each enabled transport: the address it listens on (<c>hostname</c>, where
    /// empty means every interface, as Akka.Remote reads it) and the one it gives peers to reach it
    /// (<c>public-hostname</c>, when set: an address that forwards to this one).
    /// </summary>
    public static string? OffLoopback(Config config)
    {
        var transports = config.HasPath("akka.remote.enabled-transports") ? config.GetStringList("akka.remote.enabled-transports") : [DefaultTransport];
        foreach (var transport in transports)
        {
            var hostname = config.GetString($"{transport}.hostname", "") ?? "";
            if (string.IsNullOrWhiteSpace(hostname))
                return $"{transport}.hostname = \"{hostname}\" (every interface)";
            if (!Is(hostname))
                return $"{transport}.hostname = \"{hostname}\"";
            var publicHostname = config.GetString($"{transport}.public-hostname", "") ?? "";
            if (!string.IsNullOrWhiteSpace(publicHostname) && !Is(publicHostname))
                return $"{transport}.public-hostname = \"{publicHostname}\"";
        }
        return null;
    }
}
