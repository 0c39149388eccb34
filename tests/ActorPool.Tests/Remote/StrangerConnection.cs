using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ActorPool.Testing;

namespace ActorPool.Tests.Remote;

/// <summary>
/// A stranger at a member's port that speaks the member's TLS exactly (TLS records inside the TCP
/// transport's frames) but presents a certificate of its own choosing, or none, so that a test
/// decides how many times it tries and knows when each try has ended.
/// </summary>
internal static class StrangerConnection
{
    /// <summary>Connects to <paramref name="endpoint"/>, attempts the handshake presenting <paramref name="certificate"/>, and waits until the member has closed the connection.</summary>
    public static async Task TryAsync(string endpoint, X509Certificate2? certificate)
    {
        var colon = endpoint.LastIndexOf(':');
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..]));
        await using var ssl = new SslStream(new FramedStream(tcp.GetStream()), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(Options(certificate)).WaitAsync(Gate.Limit);
            // With TLS 1.3 the client is done before the member has judged its certificate: the
            // refusal is the member closing the connection.
            while (await ssl.ReadAsync(new byte[256]).AsTask().WaitAsync(Gate.Limit) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            // Refused during the handshake, or the connection closed under the read.
        }
    }

    /// <summary>
    /// A connection over the member's TLS that presents <paramref name="certificate"/>, handshake
    /// done: what is written to it reaches, decrypted, what reads the member's Akka frames.
    /// </summary>
    public static Stream Authenticated(TcpClient client, X509Certificate2 certificate)
    {
        var ssl = new SslStream(new FramedStream(client.GetStream()), leaveInnerStreamOpen: false);
        ssl.AuthenticateAsClientAsync(Options(certificate)).WaitAsync(Gate.Limit).GetAwaiter().GetResult();
        return ssl;
    }

    private static SslClientAuthenticationOptions Options(X509Certificate2? certificate) => new()
    {
        TargetHost = "actorpool",
        ClientCertificateContext = certificate is null ? null : SslStreamCertificateContext.Create(certificate, null, offline: true),
        RemoteCertificateValidationCallback = (_, _, _, _) => true, // a stranger takes whatever it is shown
    };

    /// <summary>The TCP transport's framing: each write is one frame, a 4-byte little-endian length and the bytes.</summary>
    private sealed class FramedStream(NetworkStream inner) : ActorPool.Remote.DuplexStream
    {
        private int _left; // bytes of the current inbound frame not read yet

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_left == 0)
            {
                var header = new byte[4];
                if (await inner.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken) < 4)
                    return 0;
                _left = BinaryPrimitives.ReadInt32LittleEndian(header);
            }
            var read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, _left)], cancellationToken);
            _left -= read;
            return read;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var frame = new byte[4 + buffer.Length];
            BinaryPrimitives.WriteInt32LittleEndian(frame, buffer.Length);
            buffer.CopyTo(frame.AsSpan(4));
            inner.Write(frame);
        }
    }
}
