using System.Net.Security;
using System.Security.Authentication;
using Akka.Event;
using Akka.Remote.Transport;

namespace ActorPool.Remote;

/// <summary>The TLS handshake on a new TCP association, as the side that connected (<c>client</c>) or the side that accepted.</summary>
internal static class TlsHandshake
{
    /// <summary>
    /// Runs the handshake on <paramref name="wrapped"/>: the secured association, or null once
    /// <paramref name="refuse"/> has been told why the peer is refused and <paramref name="wrapped"/>
    /// is closed (in that order: the refusal is on record before the peer can see it). A peer that
    /// has not completed it within <paramref name="limit"/> (a port scanner, a stalled peer) is
    /// refused, as is one whose handshake is given up by <paramref name="cancellation"/>. Never throws.
    /// </summary>
    public static async Task<TlsAssociationHandle?> RunAsync(
        AssociationHandle wrapped, bool client, PeerTrust trust, long maxFrame, TimeSpan limit, ILoggingAdapter log, Action<string> refuse,
        CancellationToken cancellation = default)
    {
        var stream = new HandleStream(wrapped, maxFrame);
        wrapped.ReadHandlerSource.TrySetResult(stream); // frames flow into the stream from now on
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        string? refused = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        try
        {
            await trust.HandshakeAsync(ssl, client, why => refused = why, timeout.Token).ConfigureAwait(false);
            return new TlsAssociationHandle(wrapped, ssl, stream, maxFrame, log);
        }
        catch (Exception ex)
        {
            var why = refused
                ?? (ex is OperationCanceledException && cancellation.IsCancellationRequested ? "its TLS handshake was given up for newer ones"
                : ex is OperationCanceledException ? $"it did not complete a TLS handshake within {limit.TotalSeconds:0.#} s"
                : stream.Ended is not null || ex is IOException ? "it closed the connection during the TLS handshake (it may not trust this process's certificate)"
                : ex is AuthenticationException ? $"it does not speak TLS, or not as this process does ({ex.GetBaseException().Message})"
                : $"the TLS handshake failed ({ex.GetBaseException().Message})");
            refuse(why);
            await ssl.DisposeAsync().ConfigureAwait(false);
            wrapped.Disassociate($"the TLS handshake failed: {why}", log);
            return null;
        }
    }
}
