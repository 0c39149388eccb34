using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ActorPool.Remote;
using MessagePack;

namespace ActorPool.Journal;

/// <summary>
/// How a durable job's values are read for its fingerprint and written in its journal: values of a
/// primitive type (<see cref="int"/>, <see cref="double"/>, <see cref="bool"/> and the like) as
/// their own bytes, copied, everything else in the wire format. A million ints are 4 MB either way,
/// but copying them costs a tenth of encoding them, and a trivial job's whole run is about that.
/// </summary>
/// <remarks>
/// A primitive has no padding and one representation per value, so its bytes are as much the
/// same from run to run as its wire form. Stored bytes are little-endian, as on every platform
/// .NET runs on; they start with a byte that MessagePack never uses, 0xC1, so a blob says which
/// form it holds.
/// </remarks>
internal static class JournalValues
{
    private const byte RawMarker = 0xC1;

    /// <summary>True if values of <typeparamref name="T"/> are kept as their own bytes.</summary>
    public static bool IsRaw<T>() => typeof(T).IsPrimitive && BitConverter.IsLittleEndian;

    /// <summary>The bytes of <paramref name="values"/>, which must be of a primitive type (<see cref="IsRaw{T}"/>).</summary>
    public static ReadOnlySpan<byte> RawBytes<T>(ReadOnlySpan<T> values)
    {
        System.Diagnostics.Debug.Assert(IsRaw<T>());
        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(values)), values.Length * Unsafe.SizeOf<T>());
    }

    /// <summary>Encodes <paramref name="values"/> for the journal.</summary>
    /// <exception cref="Exception">A value cannot be serialized.</exception>
    public static byte[] Encode<T>(ReadOnlySpan<T> values)
    {
        if (!IsRaw<T>())
            return WireCodec.EncodeValues(values.ToArray());
        var raw = RawBytes(values);
        var blob = GC.AllocateUninitializedArray<byte>(raw.Length + 1);
        blob[0] = RawMarker;
        raw.CopyTo(blob.AsSpan(1));
        return blob;
    }

    /// <summary>Decodes what <see cref="Encode{T}"/> wrote.</summary>
    /// <exception cref="InvalidOperationException">The blob does not hold values of <typeparamref name="T"/>.</exception>
    public static T[] Decode<T>(byte[] blob)
    {
        if (blob is not [RawMarker, ..])
            return MessagePackSerializer.Deserialize<T[]>(blob, WireCodec.Options);
        var size = Unsafe.SizeOf<T>();
        if (!IsRaw<T>() || (blob.Length - 1) % size != 0)
            throw new InvalidOperationException($"A journal record holds raw values that are not of type {typeof(T)}.");
        var values = GC.AllocateUninitializedArray<T>((blob.Length - 1) / size);
        blob.AsSpan(1).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetArrayDataReference(values)), blob.Length - 1));
        return values;
    }
}
