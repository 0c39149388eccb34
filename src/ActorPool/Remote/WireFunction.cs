using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using ActorPool.Protocol;

namespace ActorPool.Remote;

/// <summary>
/// A function as it travels with a chunk: its method, by name (<see cref="FunctionRef"/>), and,
/// for a lambda that captures variables, their values in wire form (<see cref="ClosureShape"/>),
/// read once, when the job was submitted (<see cref="Freeze{TFunc}"/>), as pickle does: a later
/// change to a variable does not reach the nodes. Results come back with the method's name only.
/// </summary>
/// <param name="Method">The method, found again by name where the work runs.</param>
/// <param name="Captures">The captured values of a closure; null for a function that captures nothing.</param>
internal sealed record WireFunction(FunctionRef Method, byte[]? Captures)
{
    /// <summary>The functions <see cref="Freeze{TFunc}"/> made, with their captured values: a job's chunks, encoded one by one, share them.</summary>
    private static readonly ConditionalWeakTable<Delegate, WireFunction> Frozen = new();

    /// <summary>The function's name, for messages.</summary>
    public string Display => Method.Display;

    /// <summary>Bytes the captured values add to each chunk on the wire.</summary>
    public int WireBytes => Captures?.Length ?? 0;

    /// <summary>
    /// The function a job submitted to other processes runs: <paramref name="function"/> itself if
    /// it captures nothing; for a closure whose captured variables can all travel, a copy bound to
    /// their values as they are now (read and encoded once, here, for all the job's chunks).
    /// </summary>
    /// <param name="function">The function as the caller passed it.</param>
    /// <param name="paramName">The argument it was passed as, for the exception.</param>
    /// <param name="advice">What to do instead, for a function that cannot be named (see <see cref="FunctionRef.Create"/>).</param>
    /// <exception cref="ArgumentException">
    /// The function cannot be named, or it captures <c>this</c>, a delegate, or a variable whose
    /// declared type cannot travel (<c>object</c>, an interface, an abstract class), or whose value
    /// cannot be serialized: the message names the variable and says what to do.
    /// </exception>
    public static TFunc Freeze<TFunc>(TFunc function, string paramName, string? advice = null)
        where TFunc : Delegate
    {
        var method = FunctionRef.Name(function, paramName, advice, closures: true);
        if (function.Target is not { } target || !ClosureShape.IsClosure(target.GetType()))
            return function; // static, or the stateless singleton of a lambda that captures nothing
        var shape = ClosureShape.Of(function.Method);
        if (shape.Refusal is { } refusal)
            throw new ArgumentException($"The function {method.Display} {refusal}.", paramName);
        byte[] captures;
        object copy;
        try
        {
            captures = shape.Encode(target);
            // Read back as a node will: what a node could not make is refused now, not on every chunk.
            copy = shape.Decode(captures);
        }
        catch (SerializationException ex)
        {
            throw new ArgumentException(
                $"The function {method.Display} cannot be sent to another process: it {ex.Message.TrimEnd('.')}. Declare the variable with a type "
                + "whose values serialize and read back as data (public members, a constructor that takes them), or pass the value as an argument.",
                paramName, ex);
        }
        if (captures.Length > ChunkWork.MaxWireBytes)
        {
            throw new ArgumentException(
                $"The values that {method.Display} captures take {captures.Length} bytes, over the {ChunkWork.MaxWireBytes} a chunk may send, "
                + "and they travel with each chunk. Pass large data as the items, or have the function load it on the node.", paramName);
        }
        // A copy, bound to the values as read: the job's work holds it, and finds its wire form here.
        var frozen = (TFunc)function.Method.CreateDelegate(function.GetType(), copy);
        Frozen.AddOrUpdate(frozen, new WireFunction(method, captures));
        return frozen;
    }

    /// <summary>The wire form of a job's function: the one <see cref="Freeze{TFunc}"/> made for it, or, for one that captures nothing, its name.</summary>
    /// <exception cref="ArgumentException">The function was not frozen and cannot be named.</exception>
    public static WireFunction Of(Delegate function, string paramName) =>
        Frozen.TryGetValue(function, out var frozen) ? frozen : new WireFunction(FunctionRef.Create(function, paramName), Captures: null);

    /// <summary>
    /// The function in this process as a <paramref name="delegateType"/>: <paramref name="method"/>
    /// on <paramref name="target"/> as found by name (null, or the singleton of a lambda that
    /// captures nothing); for a closure, on a new one holding the captured values.
    /// </summary>
    /// <param name="method">This function's method, as <see cref="FunctionRef.Resolve"/> found it.</param>
    /// <param name="target">Its target as found by name.</param>
    /// <param name="delegateType">The delegate type of its signature.</param>
    /// <exception cref="InvalidOperationException">The values are for a method that is not a lambda's on its closure, or its closure cannot travel.</exception>
    /// <exception cref="SerializationException">The values are malformed or not of the variables' types.</exception>
    public Delegate Bind(MethodInfo method, object? target, Type delegateType)
    {
        if (Captures is null)
            return target is null && !method.IsStatic
                ? throw new InvalidOperationException($"The function {Display} captures variables, but its chunk carries no values for them.")
                : method.CreateDelegate(delegateType, target);
        if (method.IsStatic || method.DeclaringType is not { } type || !ClosureShape.IsClosure(type))
            throw new InvalidOperationException($"The function {Display} is not a lambda that captures variables, but its chunk carries captured values.");
        var shape = ClosureShape.Of(method);
        if (shape.Refusal is { } refusal)
            throw new InvalidOperationException($"The function {Display} {refusal}.");
        return shape.Bind(delegateType, Captures);
    }
}
