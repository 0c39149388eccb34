using System.Security.Cryptography;
using ActorPool.Remote;

namespace ActorPool.Journal;

/// <summary>
/// What makes a durable job the same job when it is submitted again: its function, by name (not by
/// build, so a rebuilt program resumes), and its inputs, by count and by a hash of their wire form.
/// A function whose body changed under the same name is not told apart: give a changed job a new id.
/// </summary>
internal static class JobFingerprint
{
    /// <summary>The fingerprint of <paramref name="func"/> over <paramref name="items"/>.</summary>
    /// <exception cref="ArgumentException">The function cannot be named (a closure, an instance method): a resumed job could not be told from another.</exception>
    /// <exception cref="System.Runtime.Serialization.SerializationException">An input cannot be serialized.</exception>
    public static string Of(Delegate func, Array items)
    {
        FunctionRef.Create(func, "func"); // what cannot travel to a node cannot be found again by a later run either
        var method = func.Method;
        // Type.ToString: no assembly versions in generic arguments, so an upgraded runtime or library still resumes.
        var parameters = string.Join(",", method.GetParameters().Select(parameter => parameter.ParameterType.ToString()));
        byte[] encoded;
        try
        {
            encoded = WireCodec.EncodeItems(items);
        }
        catch (Exception ex)
        {
            throw new System.Runtime.Serialization.SerializationException(
                $"The inputs of a durable job must be serializable, to be told apart when it is resumed: {ex.Message}", ex);
        }
        return $"{method.Module.Assembly.GetName().Name}|{method.DeclaringType}.{method.Name}({parameters})->{method.ReturnType}"
            + $"|{items.Length}|{Convert.ToHexString(SHA256.HashData(encoded))}";
    }
}
