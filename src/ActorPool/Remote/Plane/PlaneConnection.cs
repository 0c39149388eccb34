using System.Net.Sockets;
using System.Runtime.Serialization;
using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Remote.Plane;

/// <summary>
/// One data connection between a pool's router and a node, either side of it: frames written by
/// whichever thread sends (under one lock, so that each sender's messages leave in the order it
/// sent them and frames never interleave), and one reader thread that decodes each frame as it
/// arrives and hands it on. No thread hop on either way but the reader's: that is what makes it
/// quicker than Akka.Remote, whose messages pass about fifteen threads on a round trip.
/// </summary>
/// <remarks>
/// The connection ends, for good, when either side closes it, a write or a read fails, or a frame
/// breaks the rules (<see cref="PlaneFrame"/>, or a message its reader does not take): then
/// <c>ended</c> is called once, with the reason, unless this side disposed it. What was written and
/// not read is lost; each side counts it so (the router sends it again, see <c>NodeLink</c>).
/// </remarks>
internal sealed class PlaneConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly ExtendedActorSystem _system;
    private readonly WireSerializer _serializer;
    private readonly long _maxFrame;
    private readonly object _writeGate = new();
    private Action<string>? _ended;
    private int _over; // 1 once ended or disposed: _ended is called at most once, and only if not disposed

    /// <param name="socket">The connected socket.</param>
    /// <param name="stream">What to read and write: the socket's stream, or TLS over it.</param>
    /// <param name="system">The system whose serializer and addresses the messages use.</param>
    public PlaneConnection(Socket socket, Stream stream, ExtendedActorSystem system)
    {
        // A write blocks only while the peer reads nothing (its process frozen) and the socket's
        // buffer is full: past this, the connection ends, as if the peer had died, instead of
        // holding the sender (a pool's router, a node's worker) for as long as the peer stays frozen.
        socket.SendTimeout = (int)WriteLimit.TotalMilliseconds;
        _socket = socket;
        _stream = stream;
        _system = system;
        _serializer = WireSerializerOf(system);
        _maxFrame = MaxFrameOf(system);
    }

    /// <summary>How long one write may block before the connection is given up.</summary>
    public static readonly TimeSpan WriteLimit = TimeSpan.FromSeconds(10);

    /// <summary>Who is at the other end, for logs.</summary>
    public string Peer => _socket.RemoteEndPoint?.ToString() ?? "a closed connection";

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
    /// Sends <paramref name="message"/> for <paramref name="party"/>; false if the connection has
    /// ended, before or during the write (the message may then be lost, as anything in flight on it).
    /// </summary>
    public bool Send(int party, object message)
    {
        if (Ended || message is not IWireMessage)
            return false; // nothing else crosses: what else an actor might tell a router through it (a bug) is dropped, as remoting would refuse it
        var manifest = _serializer.Manifest(message);
        // Actor references are written with this system's address, as remoting writes them.
        var payload = Akka.Serialization.Serialization.WithTransport(_system, (_serializer, message), static state => state._serializer.ToBinary(state.message));
        lock (_writeGate)
        {
            try
            {
                PlaneFrame.Write(_stream, party, manifest, payload);
                return true;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
            {
                End($"a write failed: {ex.GetBaseException().Message}");
                return false;
            }
        }
    }

    /// <summary>Sends the hello frame (<see cref="PlaneFrame.HelloParty"/>) with <paramref name="text"/>.</summary>
    public void SendHello(string text)
    {
        lock (_writeGate)
            PlaneFrame.Write(_stream, PlaneFrame.HelloParty, PlaneFrame.HelloManifest, System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Reads the hello frame, as the first frame must be; null if the connection ends first or the frame is not one.</summary>
    public string? ReadHello()
    {
        var frame = PlaneFrame.Read(_stream, _maxFrame);
        return frame is { Party: PlaneFrame.HelloParty, Manifest: PlaneFrame.HelloManifest } hello ? System.Text.Encoding.UTF8.GetString(hello.Payload) : null;
    }

    /// <summary>
    /// Starts the reader thread: each frame is decoded and given to <paramref name="deliver"/> with
    /// its party, which returns false for a message it does not take from this peer (the
    /// connection then ends). <paramref name="ended"/> is told why the connection ended, once,
    /// unless this side disposed it.
    /// </summary>
    public void StartReading(string name, Func<int, object, bool> deliver, Action<string> ended)
    {
        _ended = ended;
        var thread = new Thread(() => ReadLoop(deliver)) { IsBackground = true, Name = name };
        thread.Start();
    }

    private void ReadLoop(Func<int, object, bool> deliver)
    {
        try
        {
            while (!Ended)
            {
                if (PlaneFrame.Read(_stream, _maxFrame) is not { } frame)
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
                SerializationException => $"a message could not be read: {ex.Message}",
                IOException or ObjectDisposedException or SocketException or EndOfStreamException => $"a read failed: {ex.GetBaseException().Message}",
                _ => $"reading failed: {ex}",
            });
        }
    }

    private void End(string reason)
    {
        if (Interlocked.Exchange(ref _over, 1) == 1)
            return;
        Close();
        _ended?.Invoke(reason);
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
    }

    /// <summary>Closes the connection from this side: <c>ended</c> is not called.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _over, 1) == 1)
            return;
        Close();
    }
}
