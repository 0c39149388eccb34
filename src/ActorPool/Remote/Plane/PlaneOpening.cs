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

    /// <summary>Whether <paramref name="system"/>'s pools and nodes use the data plane (<c>actorpool.remote.data-plane.enabled</c>).</summary>
    public static bool Enabled(ActorSystem system) => system.Settings.Config.GetBoolean($"{ConfigPath}.enabled", false);

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
        bool Check(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            refused = trust.Refusal(certificate); // chain and name errors are expected: trust is by thumbprint
            return refused is null;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        try
        {
            if (client)
                await ssl.AuthenticateAsClientAsync(trust.ClientOptions(Check), timeout.Token).ConfigureAwait(false);
            else
                await ssl.AuthenticateAsServerAsync(trust.ServerOptions(Check), timeout.Token).ConfigureAwait(false);
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

    /// <summary>
    /// Reads the hello of <paramref name="connection"/> (a blocking read, on the thread pool), bounded by <paramref name="limit"/>:
    /// a peer that says nothing has its socket closed, which ends the read.
    /// </summary>
    public static async Task<string?> ReadHelloAsync(Socket socket, PlaneConnection connection, TimeSpan limit, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        await using var _ = timeout.Token.Register(static state => ((Socket)state!).Dispose(), socket).ConfigureAwait(false);
        try
        {
            return await Task.Run(connection.ReadHello, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (timeout.IsCancellationRequested)
        {
            throw new IOException(cancellation.IsCancellationRequested ? "its opening was given up" : $"it sent no hello within {limit.TotalSeconds:0.#} s", ex);
        }
    }
}
