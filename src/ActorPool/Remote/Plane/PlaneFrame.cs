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
/// that ends early ends it too (<see cref="EndOfStreamException"/>). A payload is allocated as its
/// bytes arrive, never all at once from the length a peer claims: a peer that claims 32 MiB and
/// sends nothing holds 64 KiB.
/// </remarks>
internal readonly record struct PlaneFrame(int Party, string Manifest, byte[] Payload)
{
    /// <summary>The party of a frame to or from the node's host actor, not one of its workers.</summary>
    public const int NodeParty = -1;

    /// <summary>The party of the frames that open a connection: the driver's hello, naming its router, and the node's answer.</summary>
    public const int HelloParty = -2;

    /// <summary>The manifest of a hello frame.</summary>
    public const string HelloManifest = "hello";

    /// <summary>The longest hello: an actor path, or a version, with room to spare. Read before a peer has proved anything, so small.</summary>
    public const int MaxHello = 4096;

    private const int LengthBytes = 4;
    private const int FixedBytes = 4 + 1; // the party, the manifest's length
    private const int HeaderBytes = LengthBytes + FixedBytes;

    /// <summary>What a payload's buffer starts at; it doubles as the bytes arrive.</summary>
    private const int FirstPayloadBuffer = 64 * 1024;

    /// <summary>One frame's bytes, ready to write in a single write (one TLS record or TCP send for a small one).</summary>
    /// <exception cref="ArgumentException">The manifest is not 1 to 255 ASCII characters.</exception>
    public static byte[] Build(int party, string manifest, ReadOnlySpan<byte> payload)
    {
        if (manifest.Length is 0 or > 255 || !Ascii.IsValid(manifest))
            throw new ArgumentException($"A frame's manifest must be 1 to 255 ASCII characters, not '{manifest}'.", nameof(manifest));
        var frame = new byte[HeaderBytes + manifest.Length + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, frame.Length - LengthBytes);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(LengthBytes), party);
        frame[LengthBytes + 4] = (byte)manifest.Length;
        Encoding.ASCII.GetBytes(manifest, frame.AsSpan(HeaderBytes));
        payload.CopyTo(frame.AsSpan(HeaderBytes + manifest.Length));
        return frame;
    }

    /// <summary>Writes one frame to <paramref name="stream"/> (<see cref="Build"/>).</summary>
    public static void Write(Stream stream, int party, string manifest, ReadOnlySpan<byte> payload) => stream.Write(Build(party, manifest, payload));

    /// <summary>
    /// Reads the next frame from <paramref name="stream"/>, of at most <paramref name="maxFrame"/>
    /// bytes after its length; null when the stream ends cleanly between frames.
    /// </summary>
    /// <exception cref="InvalidDataException">The frame's length or manifest is not one a peer of this version writes.</exception>
    /// <exception cref="EndOfStreamException">The stream ended inside a frame.</exception>
    public static PlaneFrame? Read(Stream stream, long maxFrame)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        if (stream.Read(header[..1]) == 0)
            return null;
        stream.ReadExactly(header[1..]);
        var (length, party, manifestLength) = Check(header, maxFrame, "akka.remote.dot-netty.tcp.maximum-frame-size");
        Span<byte> manifestBytes = stackalloc byte[manifestLength];
        stream.ReadExactly(manifestBytes);
        if (!Ascii.IsValid(manifestBytes))
            throw new InvalidDataException("a manifest that is not ASCII");
        var manifest = Encoding.ASCII.GetString(manifestBytes);
        var needed = length - FixedBytes - manifestLength;
        var payload = new byte[Math.Min(needed, FirstPayloadBuffer)];
        stream.ReadExactly(payload);
        while (payload.Length < needed)
        {
            var filled = payload.Length;
            Array.Resize(ref payload, (int)Math.Min(needed, 2L * filled));
            stream.ReadExactly(payload.AsSpan(filled));
        }
        return new PlaneFrame(party, manifest, payload);
    }

    /// <summary>Reads a hello frame (<see cref="HelloParty"/>, at most <see cref="MaxHello"/> bytes) and returns its text.</summary>
    /// <exception cref="InvalidDataException">The frame is not a hello.</exception>
    /// <exception cref="EndOfStreamException">The stream ended first.</exception>
    public static string ReadHello(Stream stream)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        stream.ReadExactly(header);
        var (length, party, manifestLength) = Check(header, MaxHello, "a hello's most");
        var rest = new byte[length - FixedBytes];
        stream.ReadExactly(rest);
        if (party != HelloParty || !rest.AsSpan(0, manifestLength).SequenceEqual(Encoding.ASCII.GetBytes(HelloManifest)))
            throw new InvalidDataException("a first frame that is not a hello");
        return Encoding.UTF8.GetString(rest, manifestLength, rest.Length - manifestLength);
    }

    /// <summary>The length, party and manifest length a header gives, checked.</summary>
    private static (int Length, int Party, int ManifestLength) Check(ReadOnlySpan<byte> header, long maxFrame, string limit)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < FixedBytes + 1 || length > maxFrame)
            throw new InvalidDataException($"a frame of {length} bytes, outside 6 to {maxFrame} ({limit})");
        int manifestLength = header[LengthBytes + 4];
        if (manifestLength == 0 || FixedBytes + manifestLength > length)
            throw new InvalidDataException($"a manifest of {manifestLength} bytes in a frame of {length}");
        return (length, BinaryPrimitives.ReadInt32LittleEndian(header[LengthBytes..]), manifestLength);
    }
}
