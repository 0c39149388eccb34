using System.Buffers;
using System.Buffers.Binary;
using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace ActorPool.Remote;

/// <summary>
/// An association secured by TLS: each payload Akka writes goes through the TLS stream with a
/// four-byte length before it, and is read back whole on the other side, whatever frames carried it.
/// </summary>
internal sealed class TlsAssociationHandle : AbstractTransportAdapterHandle
{
    private const int HeaderLength = 4;

    private readonly Stream _tls;
    private readonly HandleStream _stream;
    private readonly long _maxPayload;
    private readonly ILoggingAdapter _log;

    // Akka writes to one association from more than one actor (the endpoint's writer, and the
    // protocol's own handshake and heartbeats), and a TLS stream takes one write at a time.
    private readonly object _writeGate = new();
    private bool _closed;

    /// <summary>1 once the wrapped association has been told to close: by Akka, or by the read loop's end, whichever comes first.</summary>
    private int _wrappedClosed;

    /// <summary>Set when Akka closes the association, which may come before it ever takes the association's reads.</summary>
    private readonly TaskCompletionSource _closedByAkka = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The association over <paramref name="wrapped"/>, whose frames <paramref name="stream"/> reads,
    /// once <paramref name="tls"/> (the <see cref="System.Net.Security.SslStream"/> over it) is authenticated.
    /// </summary>
    public TlsAssociationHandle(AssociationHandle wrapped, Stream tls, HandleStream stream, long maxPayload, ILoggingAdapter log)
        : base(wrapped, TlsTransport.Scheme)
    {
        _tls = tls;
        _stream = stream;
        _maxPayload = maxPayload;
        _log = log;
        _ = ReadAsync();
    }

    public override bool Write(ByteString payload)
    {
        var length = HeaderLength + payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer, payload.Length);
            payload.Span.CopyTo(buffer.AsSpan(HeaderLength));
            lock (_writeGate)
            {
                if (_closed)
                    return false;
                _tls.Write(buffer, 0, length); // one record for a small payload: one frame
                return true;
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [Obsolete("Akka's own API; the overload with a reason calls this.")]
    public override void Disassociate()
    {
        lock (_writeGate)
            _closed = true;
        _closedByAkka.TrySetResult();
        CloseWrapped("the association was closed");
    }

    /// <summary>Closes the wrapped association, the first time only: Akka's close and the read loop's end each come once, in either order.</summary>
    private void CloseWrapped(string reason)
    {
        if (Interlocked.Exchange(ref _wrappedClosed, 1) == 0)
            WrappedHandle.Disassociate(reason, _log);
    }

    /// <summary>
    /// Reads payloads until the association ends, however it ends, then closes it and tells Akka,
    /// with the reason the transport gave. Every way out of the loop, an exception of any type
    /// included, comes to that end once: an association left open would be one that remoting waits
    /// on forever, and that holds its connection.
    /// </summary>
    private async Task ReadAsync()
    {
        IHandleEventListener? listener = null;
        try
        {
            // Akka gives the association its listener once it has taken it; one it gave up on
            // first (closed during the handshake, or never handed to remoting) gets none.
            await Task.WhenAny(ReadHandlerSource.Task, _closedByAkka.Task).ConfigureAwait(false);
            if (ReadHandlerSource.Task.IsCompleted)
            {
                listener = await ReadHandlerSource.Task.ConfigureAwait(false);
                await ReadPayloadsAsync(listener).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or System.Security.Authentication.AuthenticationException)
        {
            // The connection ended mid-payload, or its bytes were not TLS records of this session.
        }
        catch (Exception ex)
        {
            // Not a way a connection ends: a defect, here or below. The association ends all the same.
            _log.Error(ex, "The TLS association with {0} failed unexpectedly; it is closed.", RemoteAddress);
        }
        await EndAsync(listener).ConfigureAwait(false);
    }

    private async Task ReadPayloadsAsync(IHandleEventListener listener)
    {
        var header = new byte[HeaderLength];
        while (true)
        {
            if (await _tls.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false).ConfigureAwait(false) < HeaderLength)
                return;
            var length = BinaryPrimitives.ReadInt32BigEndian(header);
            if (length < 0 || length > _maxPayload)
            {
                // Only a trusted peer gets here, yet a length past the frame size would make this side allocate it.
                _log.Warning("A peer at {0} sent a payload of {1} bytes, more than the frame size {2}; the connection is closed.", RemoteAddress, length, _maxPayload);
                return;
            }
            var payload = new byte[length];
            await _tls.ReadExactlyAsync(payload).ConfigureAwait(false);
            listener.Notify(new InboundPayload(UnsafeByteOperations.UnsafeWrap(payload)));
        }
    }

    /// <summary>The read loop's one end: no more writes, the TLS stream and the connection closed, and Akka told (if it ever listened).</summary>
    private async Task EndAsync(IHandleEventListener? listener)
    {
        lock (_writeGate)
            _closed = true;
        try
        {
            await _tls.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Its connection has ended, most often because the peer closed it or its process
            // exited (every pool's Dispose stops its worker processes): TLS's goodbye cannot be
            // sent then, and that is no news worth a warning.
            _log.Debug("Closing the TLS stream of {0} failed: {1}", RemoteAddress, ex.Message);
        }
        CloseWrapped("the TLS stream ended");
        listener?.Notify(_stream.Ended ?? new Disassociated(DisassociateInfo.Unknown));
    }
}
