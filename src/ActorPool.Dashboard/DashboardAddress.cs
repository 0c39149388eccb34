using System.Text.RegularExpressions;

namespace ActorPool.Dashboard;

/// <summary>Checks the address a dashboard is asked to listen on.</summary>
internal static partial class DashboardAddress
{
    [GeneratedRegex(@"^http://[^/?#@]+:\d{1,5}/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostAndPort();

    /// <summary>The URL as Kestrel takes it.</summary>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not <c>http://host:port</c>, with a port and nothing after it.</exception>
    public static Uri Parse(string url, string parameterName)
    {
        if (!HostAndPort().IsMatch(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException(
                $"'{url}' is not an address to listen on: give http://host:port, such as http://127.0.0.1:8787 (port 0 picks a free port; https is not served).",
                parameterName);
        }
        return uri;
    }
}
