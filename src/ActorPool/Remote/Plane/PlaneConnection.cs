using System.Net.Sockets;
using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Remote.Plane;

/// <summary>
/// One data connection between a pool's router and a node, either side of it: frames sent by
/// whichever thread sends, in the order sent, and one reader thread that decodes each frame as it
/// arrives and hands it on. On the way out a frame is written by the sender itself when the
/// socket has room and nothing waits before it (no thread hop: that, with the reader's one
/// hop, is what makes a round trip quicker than on Akka.Remote, whose messages pass about fifteen
/// threads); a frame larger than the room the socket is known to have, or any frame while others wait, goes to the connection's writer thread,
/// so that a sender (a pool's router, most of all) never waits on a peer that reads slowly or not at all.
/// </summary>
/// <remarks>
/// <para>The connection ends, for good, when either side closes it, a write or a read fails, a
/// write waits past <see cref="WriteLimit"/>, more than <see cref="MaxQueuedBytes"/> wait to be
/// written, TCP's keepalive finds the peer gone, or a frame breaks the rules (<see cref="PlaneFrame"/>,
/// or a message its reader does not take): then <c>ended</c> is called once, with the reason,
/// unless this side disposed it. What was sent and not read is lost; the router counts it so.</para>
/// <para>Order: a sender writes in line only while the queue is empty and the writer idle, under
/// the gate; the writer writes outside the gate, but while it is busy nobody writes in line.</para>
/// </remarks>
internal sealed class PlaneConnection : IDisposable
{
    /// <summary>How long one write may wait for the peer to take bytes before the connection is given up.</summary>
    public static readonly TimeSpan WriteLimit = TimeSpan.FromSeconds(10);

    /// <summary>Bytes waiting for the writer past which the connection is given up: the peer has stopped reading.</summary>
    public const long MaxQueuedBytes = 256L * 1024 * 1024;

    /// <summary>
    /// The largest frame a sender writes itself, when the socket has room for it (a batch of many
    /// small chunks, not one of megabytes): see <see cref="HasRoom"/>.
    /// </summary>
    private const int InlineLimit = 64 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly BufferedStream _input; // the reader's view of _stream: a frame's header, manifest and payload in one read, not four
    private readonly ExtendedActorSystem _system;
    private readonly WireSerializer _serializer;
    private readonly long _maxFrame;
    private readonly object _gate = new();
    private readonly Queue<byte[]> _queue = new();
    private readonly SemaphoreSlim _wake = new(0);
    private long _queuedBytes;
    private int _room; // under _gate: bytes that may still be written in line without polling
    private bool _writerBusy; // the writer has frames to write, or is writing: nobody writes in line
    private Thread? _writer;
    private readonly object _endGate = new();
    private Action<string>? _ended; // under _endGate
    private string? _endReason; // under _endGate: why it ended, once it has, unless disposed
    private int _over; // 1 once ended or disposed: _ended is called at most once, and only if not disposed

    /// <param name="socket">The connected socket.</param>
    /// <param name="stream">What to read and write: the socket's stream, or TLS over it, opened (the hellos read and written).</param>
    /// <param name="system">The system whose serializer and addresses the messages use.</param>
    public PlaneConnection(Socket socket, Stream stream, ExtendedActorSystem system)
    {
        _socket = socket;
        _stream = stream;
        _input = new BufferedStream(stream, 64 * 1024);
        Peer = socket.RemoteEndPoint?.ToString() ?? "an unknown peer";
        _system = system;
        _serializer = WireSerializerOf(system);
        _maxFrame = MaxFrameOf(system);
        // A write that waits this long for room: the peer is frozen or unreachable. Only the
        // writer's writes can wait (those in line go only where there is room).
        socket.SendTimeout = (int)WriteLimit.TotalMilliseconds;
        // A connection idle while tasks run long must not die unseen (a NAT or firewall that
        // forgets idle connections, a peer's machine gone): probes after 30 s of silence, every
        // 5 s, and the connection ends after 3 unanswered.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
    }

    /// <summary>Who is at the other end, for logs.</summary>
    public string Peer { get; }

    /// <summary>Whether the connection has ended (either side closed it, or it failed).</summary>
    public bool Ended => Volatile.Read(ref _over) == 1;

    /// <summary>The largest frame either side takes: remoting's (<c>akka.remote.dot-netty.tcp.maximum-frame-size</c>).</summary>
    public static long MaxFrameOf(ActorSystem system) =>
        system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", null) ?? 32 * 1024 * 1024;

    /// <summary>ActorPool's serializer of <paramref name="system"/>.</summary>
    public static WireSerializer WireSerializerOf(ExtendedActorSystem system) =>
        system.Serialization.FindSerializerForType(typeof(RunBatch)) as WireSerializer
        ?? throw new InvalidOperationException("This system does not serialize ActorPool's messages with ActorPool's serializer.");

    /// <summary>
    /// Sends <paramref name="message"/> for <paramref name="party"/>, never waiting on the peer;
    /// false if the connection has ended, before or because of this (it is then as lost as what
    /// was in flight). Only ActorPool's wire messages cross: anything else is dropped.
    /// </summary>
    public bool Send(int party, object message)
    {
        if (Ended || message is not IWireMessage)
            return false;
        byte[] frame;
        try
        {
            // Actor references are written with this system's address, as remoting writes them.
            var payload = Akka.Serialization.Serialization.WithTransport(_system, (_serializer, message), static state => state._serializer.ToBinary(state.message));
            frame = PlaneFrame.Build(party, _serializer.Manifest(message), payload);
        }
        catch (Exception ex)
        {
            // A bug, not the peer's doing; ending the connection makes the router send it again (and blame it, should it recur).
            End($"a {message.GetType().Name} could not be written: {ex.Message}");
            return false;
        }
        lock (_gate)
        {
            if (Ended)
                return false;
            if (!_writerBusy && frame.Length <= InlineLimit && HasRoom(frame.Length))
                return WriteOrEnd(frame);
            _queue.Enqueue(frame);
            _queuedBytes += frame.Length;
            _room = 0; // what the writer writes takes room: poll again before the next write in line
            if (_queuedBytes > MaxQueuedBytes)
            {
                End($"the peer took nothing of the last {_queuedBytes} bytes sent");
                return false;
            }
            if (!_writerBusy)
            {
                _writerBusy = true;
                _writer ??= PlaneThreads.Start("actorpool-plane-writer", WriteLoop);
                _wake.Release();
            }
        }
        return true;
    }

    /// <summary>
    /// Starts the reader thread: each frame is decoded and given to <paramref name="deliver"/> with
    /// its party, which returns false for a message it does not take from this peer (the
    /// connection then ends). <paramref name="ended"/> is told why the connection ended, once,
    /// unless this side disposed it; at once if it ended before this.
    /// </summary>
    public void StartReading(Func<int, object, bool> deliver, Action<string> ended)
    {
        string? endedBefore;
        lock (_endGate)
        {
            endedBefore = _endReason;
            _ended = ended;
        }
        if (endedBefore is not null)
            ended(endedBefore);
        else if (!Ended)
            PlaneThreads.Start("actorpool-plane-reader", () => ReadLoop(deliver));
    }

    /// <summary>Ends the connection for <paramref name="reason"/>, as a failure: <c>ended</c> is told.</summary>
    public void Abort(string reason) => End(reason);

    private void ReadLoop(Func<int, object, bool> deliver)
    {
        try
        {
            while (!Ended)
            {
                if (PlaneFrame.Read(_input, _maxFrame) is not { } frame)
                {
                    End("the peer closed it");
                    return;
                }
                if (frame.Party == PlaneFrame.HelloParty)
                {
                    End("a second hello");
                    return;
                }
                var message = _serializer.FromBinary(frame.Payload, frame.Manifest);
                if (!deliver(frame.Party, message))
                {
                    End($"a message '{frame.Manifest}' for party {frame.Party}, which this side does not take from it");
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            // Whatever a peer's bytes make reading throw ends the connection, never the process: this is a thread of its own.
            End(ex switch
            {
                InvalidDataException => $"the peer broke the frame rules: {ex.Message}",
                System.Runtime.Serialization.SerializationException => $"a message could not be read: {ex.Message}",
                IOException or ObjectDisposedException or SocketException or EndOfStreamException => $"a read failed: {ex.GetBaseException().Message}",
                _ => $"reading failed: {ex}",
            });
        }
    }

    private void WriteLoop()
    {
        while (!Ended)
        {
            _wake.Wait();
            while (true)
            {
                byte[] frame;
                lock (_gate)
                {
                    if (Ended || !_queue.TryDequeue(out frame!))
                    {
                        _writerBusy = false;
                        break;
                    }
                    _queuedBytes -= frame.Length;
                }
                if (!WriteOrEnd(frame))
                    return;
            }
        }
    }

    private bool WriteOrEnd(byte[] frame)
    {
        try
        {
            _stream.Write(frame);
            return true;
        }
        catch (Exception ex)
        {
            // Whatever a write throws ends the connection, never its sender (the router) nor the process (the writer is a thread of its own).
            End(ex.GetBaseException() is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock }
                ? $"the peer took nothing for {WriteLimit.TotalSeconds:0} s"
                : $"a write failed: {ex.GetBaseException().Message}");
            return false;
        }
    }

    /// <summary>
    /// Whether a frame of <paramref name="length"/> bytes can be written in line now without
    /// waiting. Linux calls a TCP socket writable while a third of its send buffer is free, at
    /// least; in payload, a sixth of it (a buffer counts each packet's overhead too). So after a
    /// poll finds the socket writable, that much may be written with no further poll: most sends
    /// (a task, its result) cost no system call but their write. A frame beyond it goes to the writer.
    /// </summary>
    private bool HasRoom(int length)
    {
        if (length <= _room)
        {
            _room -= length;
            return true;
        }
        try
        {
            if (!_socket.Poll(0, SelectMode.SelectWrite))
                return false;
            var room = _socket.SendBufferSize / 6; // grows as TCP tunes the buffer: read again at each poll
            if (length > room)
                return false;
            _room = room - length;
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false; // closing: the writer finds out
        }
    }

    private void End(string reason)
    {
        if (Interlocked.Exchange(ref _over, 1) == 1)
            return;
        Close();
        Action<string>? ended;
        lock (_endGate)
        {
            _endReason = reason;
            ended = _ended;
        }
        ended?.Invoke(reason); // or StartReading calls it, if it comes later
    }

    private void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer.
        }
        _stream.Dispose();
        _socket.Dispose();
        _wake.Release(); // the writer, if waiting, sees the end
    }

    /// <summary>Closes the connection from this side: <c>ended</c> is not called.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _over, 1) == 1)
            return;
        Close();
    }
}
