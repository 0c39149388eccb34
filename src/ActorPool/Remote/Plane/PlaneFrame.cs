using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ActorPool.Remote.Plane;

/// <summary>
/// One message on a data connection (<see cref="PlaneConnection"/>): who sends it or is to get it
/// (<see cref="Party"/>), its <see cref="WireSerializer"/> manifest and its bytes.
/// </summary>
/// <remarks>
/// On the wire: the length of the rest (4 bytes, little-endian), the party (4 bytes, signed), the
/// manifest's length (1 byte) and its ASCII characters, then the payload. Reading never trusts the
/// bytes: a length past the connection's limit, or shorter than the fixed part, ends the
/// connection before anything is allocated for it (<see cref="InvalidDataException"/>); a frame
/// that ends early ends it too (<see cref="EndOfStreamException"/>).
/// </remarks>
internal readonly record struct PlaneFrame(int Party, string Manifest, byte[] Payload)
{
    /// <summary>The party of a frame to or from the node's host actor, not one of its workers.</summary>
    public const int NodeParty = -1;

    /// <summary>The party of the frames that open a connection: the driver's hello, naming its router, and the node's answer.</summary>
    public const int HelloParty = -2;

    /// <summary>The manifest of a hello frame.</summary>
    public const string HelloManifest = "hello";

    private const int LengthBytes = 4;
    private const int FixedBytes = 4 + 1; // the party, the manifest's length

    /// <summary>Writes one frame to <paramref name="stream"/> in a single write (one TLS record or TCP send for a small one).</summary>
    /// <exception cref="ArgumentException">The manifest is not 1 to 255 ASCII characters.</exception>
    public static void Write(Stream stream, int party, string manifest, ReadOnlySpan<byte> payload)
    {
        if (manifest.Length is 0 or > 255 || !Ascii.IsValid(manifest))
            throw new ArgumentException($"A frame's manifest must be 1 to 255 ASCII characters, not '{manifest}'.", nameof(manifest));
        var length = FixedBytes + manifest.Length + payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(LengthBytes + length);
        try
        {
            var span = buffer.AsSpan(0, LengthBytes + length);
            BinaryPrimitives.WriteInt32LittleEndian(span, length);
            BinaryPrimitives.WriteInt32LittleEndian(span[LengthBytes..], party);
            span[LengthBytes + 4] = (byte)manifest.Length;
            Encoding.ASCII.GetBytes(manifest, span[(LengthBytes + FixedBytes)..]);
            payload.CopyTo(span[(LengthBytes + FixedBytes + manifest.Length)..]);
            stream.Write(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads the next frame from <paramref name="stream"/>, of at most <paramref name="maxFrame"/>
    /// bytes after its length; null when the stream ends cleanly between frames.
    /// </summary>
    /// <exception cref="InvalidDataException">The frame's length or manifest is not one a peer of this version writes.</exception>
    /// <exception cref="EndOfStreamException">The stream ended inside a frame.</exception>
    public static PlaneFrame? Read(Stream stream, long maxFrame)
    {
        Span<byte> header = stackalloc byte[LengthBytes + FixedBytes];
        var first = stream.Read(header[..1]);
        if (first == 0)
            return null;
        stream.ReadExactly(header[1..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < FixedBytes + 1 || length > maxFrame)
            throw new InvalidDataException($"a frame of {length} bytes, outside 6 to {maxFrame} (akka.remote.dot-netty.tcp.maximum-frame-size)");
        var party = BinaryPrimitives.ReadInt32LittleEndian(header[LengthBytes..]);
        int manifestLength = header[LengthBytes + 4];
        if (manifestLength == 0 || FixedBytes + manifestLength > length)
            throw new InvalidDataException($"a manifest of {manifestLength} bytes in a frame of {length}");
        Span<byte> manifestBytes = stackalloc byte[manifestLength];
        stream.ReadExactly(manifestBytes);
        if (!Ascii.IsValid(manifestBytes))
            throw new InvalidDataException("a manifest that is not ASCII");
        var payload = new byte[length - FixedBytes - manifestLength];
        stream.ReadExactly(payload);
        return new PlaneFrame(party, Encoding.ASCII.GetString(manifestBytes), payload);
    }
}
