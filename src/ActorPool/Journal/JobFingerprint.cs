using System.IO.Hashing;
using System.Security.Cryptography;
using ActorPool.Remote;

namespace ActorPool.Journal;

/// <summary>
/// What makes a durable job the same job when it is submitted again: its function, by name (not by
/// build, so a rebuilt program resumes), and its inputs, by count and by a hash of their contents
/// (as <see cref="JournalValues"/> reads them: a primitive's bytes, anything else's wire form).
/// A function whose body changed under the same name is not told apart: give a changed job a new id.
/// </summary>
/// <remarks>
/// The hash is XXH128: it tells a program's own inputs apart, which is all a fingerprint is for (it
/// is no defence against inputs made to collide), and it reads a million ints in a fraction of a
/// millisecond, where SHA-256 took a third of a trivial job's whole run.
/// </remarks>
internal static class JobFingerprint
{
    /// <summary>
    /// The fingerprint of <paramref name="func"/> over <paramref name="items"/>. The function was
    /// checked to be nameable when the job was submitted (a closure or an instance method could
    /// not be told from another when resumed).
    /// </summary>
    /// <exception cref="System.Runtime.Serialization.SerializationException">An input cannot be serialized.</exception>
    public static string Of<T>(Delegate func, T[] items)
    {
        UInt128 hash;
        try
        {
            hash = XxHash128.HashToUInt128(JournalValues.IsRaw<T>() ? JournalValues.RawBytes<T>(items) : WireCodec.EncodeItems(items));
        }
        catch (Exception ex)
        {
            throw Unserializable(ex);
        }
        return $"{Function(func)}|{items.Length}|{hash:x32}";
    }

    /// <summary>
    /// The fingerprint that builds before XXH128 wrote for the same job (a SHA-256 of the inputs'
    /// wire form, in upper-case hex), if <paramref name="recorded"/> is in that format; else null.
    /// Read only when a recorded fingerprint differs from <see cref="Of{T}"/>'s, so that a job
    /// journaled by such a build still resumes.
    /// </summary>
    public static string? Earlier<T>(string recorded, Delegate func, T[] items)
    {
        if (recorded.Length - recorded.LastIndexOf('|') - 1 != 2 * SHA256.HashSizeInBytes)
            return null;
        try
        {
            return $"{Function(func)}|{items.Length}|{Convert.ToHexString(SHA256.HashData(WireCodec.EncodeItems(items)))}";
        }
        catch (Exception ex)
        {
            throw Unserializable(ex);
        }
    }

    // Type.ToString: no assembly versions in generic arguments, so an upgraded runtime or library still resumes.
    private static string Function(Delegate func)
    {
        var method = func.Method;
        var parameters = string.Join(",", method.GetParameters().Select(parameter => parameter.ParameterType.ToString()));
        return $"{method.Module.Assembly.GetName().Name}|{method.DeclaringType}.{method.Name}({parameters})->{method.ReturnType}";
    }

    private static System.Runtime.Serialization.SerializationException Unserializable(Exception ex) =>
        new($"The inputs of a durable job must be serializable, to be told apart when it is resumed: {ex.Message}", ex);
}
