using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;

namespace ActorPool.Remote.Plane;

/// <summary>
/// What a data connection starts with, on both sides: the same trust as remoting (TLS with
/// mutual authentication and pinned certificates when the system has a <see cref="TlsSetup"/>,
/// plain TCP otherwise, which a system allows only where its remoting is plain too), then a hello.
/// </summary>
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
    /// handshake that ends within <paramref name="limit"/>, or plain.
    /// </summary>
    /// <exception cref="IOException">The handshake failed; the message says why (the peer's certificate is not trusted, it said nothing in time...).</exception>
    public static async Task<Stream> SecureAsync(Socket socket, bool client, PeerTrust? trust, TimeSpan limit, CancellationToken cancellation)
    {
        var network = new NetworkStream(socket, ownsSocket: false);
        if (trust is null)
            return network;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        string? refused = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        try
        {
            await trust.HandshakeAsync(ssl, client, why => refused = why, timeout.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception ex)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new IOException(refused
                ?? (ex is OperationCanceledException && !cancellation.IsCancellationRequested
                    ? $"it did not complete a TLS handshake within {limit.TotalSeconds:0.#} s"
                    : $"the TLS handshake failed ({ex.GetBaseException().Message})"), ex);
        }
    }

    /// <summary>Writes the hello (<see cref="PlaneFrame.HelloParty"/>) with <paramref name="text"/>: the first frame either side writes.</summary>
    public static Task SendHelloAsync(Stream stream, string text, CancellationToken cancellation) =>
        stream.WriteAsync(PlaneFrame.Build(PlaneFrame.HelloParty, PlaneFrame.HelloManifest, System.Text.Encoding.UTF8.GetBytes(text)), cancellation).AsTask();

    /// <summary>Reads the hello, the first frame either side reads; a peer that says nothing within <paramref name="limit"/> is given up.</summary>
    /// <exception cref="IOException">No hello came in time, or the connection ended first, or the first frame is not a hello; the message says which.</exception>
    public static async Task<string> ReadHelloAsync(Stream stream, TimeSpan limit, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        try
        {
            return await PlaneFrame.ReadHelloAsync(stream, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
        {
            throw new IOException(cancellation.IsCancellationRequested ? "its opening was given up" : $"it sent no hello within {limit.TotalSeconds:0.#} s", ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
        {
            throw new IOException($"its hello: {ex.Message}", ex);
        }
    }
}
