using System.IO.Hashing;
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
        var method = func.Method;
        // Type.ToString: no assembly versions in generic arguments, so an upgraded runtime or library still resumes.
        var parameters = string.Join(",", method.GetParameters().Select(parameter => parameter.ParameterType.ToString()));
        UInt128 hash;
        try
        {
            hash = XxHash128.HashToUInt128(JournalValues.IsRaw<T>() ? JournalValues.RawBytes<T>(items) : WireCodec.EncodeItems(items));
        }
        catch (Exception ex)
        {
            throw new System.Runtime.Serialization.SerializationException(
                $"The inputs of a durable job must be serializable, to be told apart when it is resumed: {ex.Message}", ex);
        }
        return $"{method.Module.Assembly.GetName().Name}|{method.DeclaringType}.{method.Name}({parameters})->{method.ReturnType}"
            + $"|{items.Length}|{hash:x32}";
    }
}
