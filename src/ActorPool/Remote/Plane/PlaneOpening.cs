using System.Net.Security;
using System.Net.Sockets;
using Akka.Actor;

namespace ActorPool.Remote.Plane;

/// <summary>
/// What a data connection starts with, on both sides: the same trust as remoting (TLS with
/// mutual authentication and pinned certificates when the system has a <see cref="TlsSetup"/>,
/// plain TCP otherwise, which a system allows only where its remoting is plain too), then a hello.
/// </summary>
/// <remarks>
/// Every call here blocks its thread, bounded by an <see cref="OpeningDeadline"/>, and none is
/// asynchronous, on purpose: on Linux, a socket on which .NET runs one asynchronous operation is
/// made non-blocking and registered with the runtime's socket thread for good. Each packet that
/// arrives then wakes that thread, and a blocking read waits through it: two thread hand-offs
/// more per message. A connection opened by blocking calls keeps a blocking socket, read by its
/// reader thread alone (a cluster round trip measured 140 µs against 214 µs, <c>BENCHMARKS.md</c>).
/// </remarks>
internal static class PlaneOpening
{
    /// <summary>Where the data plane is configured.</summary>
    public const string ConfigPath = "actorpool.remote.data-plane";

    /// <summary>
    /// Whether <paramref name="system"/>'s pools and nodes use the data plane
    /// (<c>actorpool.remote.data-plane.enabled</c>). Not where remoting speaks Akka's own TLS
    /// (<c>enable-ssl</c>, which ActorPool's systems never set, but a configuration could): the
    /// data plane's TLS is ActorPool's (<see cref="TlsSetup"/>), and it would otherwise be plain there.
    /// </summary>
    public static bool Enabled(ActorSystem system) =>
        system.Settings.Config.GetBoolean($"{ConfigPath}.enabled", false)
        && (TrustOf(system) is not null || !system.Settings.Config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false));

    /// <summary>The trust of <paramref name="system"/>'s remoting: null for plain TCP.</summary>
    public static PeerTrust? TrustOf(ActorSystem system) =>
        system.Settings.Setup.Get<TlsSetup>() is { HasValue: true } setup ? setup.Value.Trust : null;

    /// <summary>
    /// The stream of <paramref name="socket"/> as <paramref name="trust"/> has it: TLS, after a
    /// handshake on this thread that ends before <paramref name="deadline"/>, or plain.
    /// </summary>
    /// <exception cref="IOException">The handshake failed; the message says why (the peer's certificate is not trusted, it said nothing in time...).</exception>
    public static Stream Secure(Socket socket, bool client, PeerTrust? trust, OpeningDeadline deadline)
    {
        var network = new NetworkStream(socket, ownsSocket: false);
        if (trust is null)
            return network;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        string? refused = null;
        try
        {
            trust.Handshake(ssl, client, why => refused = why);
            return ssl;
        }
        catch (Exception ex)
        {
            ssl.Dispose();
            throw new IOException(refused ?? deadline.Why("complete a TLS handshake") ?? $"the TLS handshake failed ({ex.GetBaseException().Message})", ex);
        }
    }

    /// <summary>Writes the hello (<see cref="PlaneFrame.HelloParty"/>) with <paramref name="text"/>: the first frame either side writes.</summary>
    /// <exception cref="IOException">The write failed, or <paramref name="deadline"/> passed first; the message says which.</exception>
    public static void SendHello(Stream stream, string text, OpeningDeadline deadline)
    {
        try
        {
            stream.Write(PlaneFrame.Build(PlaneFrame.HelloParty, PlaneFrame.HelloManifest, System.Text.Encoding.UTF8.GetBytes(text)));
        }
        catch (Exception ex) when (deadline.Why("take a hello") is { } why)
        {
            throw new IOException(why, ex);
        }
    }

    /// <summary>Reads the hello, the first frame either side reads; a peer that says nothing before <paramref name="deadline"/> is given up.</summary>
    /// <exception cref="IOException">No hello came in time, or the connection ended first, or the first frame is not a hello; the message says which.</exception>
    public static string ReadHello(Stream stream, OpeningDeadline deadline)
    {
        try
        {
            return PlaneFrame.ReadHello(stream);
        }
        catch (Exception ex) when (deadline.Why("send a hello") is { } why)
        {
            throw new IOException(why, ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
        {
            throw new IOException($"its hello: {ex.Message}", ex);
        }
    }
}
