namespace ActorPool.Remote.Plane;

/// <summary>The data plane's threads: each blocks on one socket (<see cref="PlaneOpening"/> says why), in the background, named for dumps.</summary>
internal static class PlaneThreads
{
    /// <summary>
    /// The stack of a thread that opens a connection, smaller than the default (1.5 MiB): it only
    /// runs a handshake (OpenSSL's, and the managed check of the peer's certificate), and a node
    /// may have one for each handshake slot (<c>actorpool.tls.max-inbound-handshakes</c>).
    /// </summary>
    public const int OpeningStack = 1024 * 1024;

    /// <summary>Starts <paramref name="loop"/> on a background thread named <paramref name="name"/>, with a stack of <paramref name="stack"/> bytes (0 for the default).</summary>
    public static Thread Start(string name, Action loop, int stack = 0)
    {
        var thread = new Thread(() => loop(), stack) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }
}
