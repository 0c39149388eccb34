using System.Buffers;
using System.Buffers.Binary;
using System.Net.Security;
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

    private readonly SslStream _ssl;
    private readonly HandleStream _stream;
    private readonly long _maxPayload;
    private readonly ILoggingAdapter _log;

    // Akka writes to one association from more than one actor (the endpoint's writer, and the
    // protocol's own handshake and heartbeats), and a TLS stream takes one write at a time.
    private readonly object _writeGate = new();
    private bool _closed;

    public TlsAssociationHandle(AssociationHandle wrapped, SslStream ssl, HandleStream stream, long maxPayload, ILoggingAdapter log)
        : base(wrapped, TlsTransport.Scheme)
    {
        _ssl = ssl;
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
                _ssl.Write(buffer, 0, length); // one record for a small payload: one frame
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
        {
            if (_closed)
                return;
            _closed = true;
        }
        WrappedHandle.Disassociate("the association was closed", _log);
    }

    /// <summary>Reads payloads until the association ends, then tells Akka it has, with the reason the transport gave.</summary>
    private async Task ReadAsync()
    {
        var listener = await ReadHandlerSource.Task.ConfigureAwait(false);
        var header = new byte[HeaderLength];
        try
        {
            while (true)
            {
                if (await _ssl.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false).ConfigureAwait(false) < HeaderLength)
                    break;
                var length = BinaryPrimitives.ReadInt32BigEndian(header);
                if (length < 0 || length > _maxPayload)
                {
                    // Only a trusted peer gets here, yet a length past the frame size would make this side allocate it.
                    _log.Warning("A peer at {0} sent a payload of {1} bytes, more than the frame size {2}; the connection is closed.", RemoteAddress, length, _maxPayload);
                    break;
                }
                var payload = new byte[length];
                await _ssl.ReadExactlyAsync(payload).ConfigureAwait(false);
                listener.Notify(new InboundPayload(UnsafeByteOperations.UnsafeWrap(payload)));
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or System.Security.Authentication.AuthenticationException)
        {
            // The connection ended mid-payload, or its bytes were not TLS records of this session.
        }
        lock (_writeGate)
            _closed = true;
        await _ssl.DisposeAsync().ConfigureAwait(false);
        WrappedHandle.Disassociate("the TLS stream ended", _log);
        listener.Notify(_stream.Ended ?? new Disassociated(DisassociateInfo.Unknown));
    }
}
