using System.Threading.Channels;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace ActorPool.Remote;

/// <summary>
/// A TCP association of Akka's transport as the byte stream under an <see cref="System.Net.Security.SslStream"/>:
/// what the stream writes goes out as frames of the association (each at most the transport's
/// frame size), and the frames that come in are read back as one stream of bytes, so TLS records
/// may straddle frames. The association's end is the stream's end.
/// </summary>
internal sealed class HandleStream : DuplexStream, IHandleEventListener
{
    private readonly AssociationHandle _handle;
    private readonly int _maxFrame;

    // Frames come in on the transport's I/O thread, one connection on one thread, and a waiting
    // ReadAsync resumes there, inline. The SslStream that awaits it does not: DotNetty runs its
    // event loop inside a Task of its own TaskScheduler, under which a Task's continuations are
    // not inlined, so decryption and the hand-off to Akka go on on a thread-pool thread. Making
    // them inline too (a PoolingAsyncValueTaskMethodBuilder on ReadAsync: every payload then
    // reached Akka on the I/O thread) changed neither a round trip's time nor its CPU measurably
    // (bench A/B at a load average of 12 to 19 on 2 cores, 2026-12-06; BENCHMARKS.md), so it is not done.
    private readonly Channel<ReadOnlyMemory<byte>> _inbound = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });

    private ReadOnlyMemory<byte> _current;

    public HandleStream(AssociationHandle handle, long maxFrame)
    {
        _handle = handle;
        _maxFrame = (int)Math.Min(maxFrame, 1 << 20);
    }

    /// <summary>How the association ended (with the transport's reason), once it has.</summary>
    public Disassociated? Ended { get; private set; }

    public void Notify(IHandleEvent ev)
    {
        switch (ev)
        {
            case InboundPayload payload:
                _inbound.Writer.TryWrite(payload.Payload.Memory);
                break;
            case Disassociated disassociated:
                Ended = disassociated;
                _inbound.Writer.TryComplete();
                break;
            case UnderlyingTransportError:
                Ended = new Disassociated(DisassociateInfo.Unknown);
                _inbound.Writer.TryComplete();
                break;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current.IsEmpty)
        {
            if (!await _inbound.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                return 0;
            _inbound.Reader.TryRead(out _current);
        }
        var count = Math.Min(buffer.Length, _current.Length);
        _current[..count].CopyTo(buffer);
        _current = _current[count..];
        return count;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var frame = buffer[..Math.Min(buffer.Length, _maxFrame)];
            if (!_handle.Write(ByteString.CopyFrom(frame)))
                throw new IOException("The connection is closed.");
            buffer = buffer[frame.Length..];
        }
    }
}
