using System.Buffers;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using MessagePack;

namespace ActorPool.Remote;

/// <summary>
/// The compiler's closure class (a display class, <c>&lt;&gt;c__DisplayClass…</c>) of a lambda
/// that captures variables, as it travels: each captured variable is a field named after it, and
/// its value goes on the wire typed by the field's declared type, as arguments are typed by the
/// function's parameters (<see cref="WireCodec.Options"/>, no type names with the data). A
/// variable of an enclosing scope is reached through a field holding that scope's closure, which
/// travels the same way, nested. Only the fields the lambda uses travel (<see cref="CapturedFields"/>);
/// on the node the others stay unset. On the wire: an array of those fields' values in declaration order.
/// </summary>
/// <remarks>
/// One shape per lambda, made once (its fields, and why it cannot travel, if it cannot), with
/// compiled code to read each field and to bind the lambda to a closure: per chunk, decoding is a
/// new object, one typed read per variable, and a delegate.
/// Only a compiler-generated display class is ever made from the wire (<see cref="IsClosure"/>),
/// and only through a method found in an assembly this process trusts (<see cref="FunctionRef"/>):
/// a frame cannot have any other class made uninitialized and filled with its fields.
/// </remarks>
internal sealed class ClosureShape
{
    /// <summary>The field that holds <c>this</c> in a lambda's closure.</summary>
    private const string ThisField = "<>4__this";

    /// <summary>
    /// The start of the name of a field where the compiler keeps a nested lambda's delegate, made
    /// when first needed: it never travels, and a closure made from the wire makes its own.
    /// </summary>
    private const string DelegateCache = "<>9__";

    /// <summary>Scopes nested deeper than this are refused: C# never gets near it, and a shape is built recursively.</summary>
    private const int MaxDepth = 32;

    private static readonly ConcurrentDictionary<MethodInfo, ClosureShape> Shapes = new();

    private readonly Type _type;
    private readonly (FieldInfo Field, ClosureShape? Outer, FieldReader? Read)[] _fields;

    /// <summary>Makers of the lambda's delegates bound to a closure, by delegate type; the lambda's own shape only.</summary>
    private readonly ConcurrentDictionary<Type, Func<object, Delegate>> _binders = new();

    private readonly MethodInfo? _lambda;

    /// <summary>Reads one captured value and sets its field.</summary>
    private delegate void FieldReader(ref MessagePackReader reader, object closure);

    /// <param name="type">The closure class.</param>
    /// <param name="used">The tokens of the fields that travel; null for all.</param>
    /// <param name="depth">How many scopes enclose it, in the lambda's own.</param>
    /// <param name="lambda">The lambda, for its own closure's shape; null for an enclosing scope's.</param>
    private ClosureShape(Type type, HashSet<int>? used, int depth, MethodInfo? lambda = null)
    {
        _type = type;
        _lambda = lambda;
        var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(field => !field.Name.StartsWith(DelegateCache, StringComparison.Ordinal) && (used is null || used.Contains(field.MetadataToken)))
            .ToArray();
        _fields = new (FieldInfo, ClosureShape?, FieldReader?)[fields.Length];
        for (var i = 0; i < fields.Length && Refusal is null; i++)
        {
            var field = fields[i];
            var declared = field.FieldType;
            if (IsClosure(declared))
            {
                var outer = depth >= MaxDepth ? null : new ClosureShape(declared, used, depth + 1);
                Refusal = outer is null ? $"captures variables of scopes nested deeper than {MaxDepth}" : outer.Refusal;
                _fields[i] = (field, outer, null);
            }
            else
            {
                Refusal = RefusalOf(field);
                _fields[i] = (field, null, Refusal is null ? ReaderOf(field) : null);
            }
        }
    }

    /// <summary>
    /// Why the closure cannot travel, naming the captured variable and saying what to do, as the
    /// end of a sentence that starts with the function; null when every captured variable can.
    /// </summary>
    public string? Refusal { get; }

    /// <summary>The shape of the closure of <paramref name="lambda"/>, a method of a closure class (<see cref="IsClosure"/>).</summary>
    public static ClosureShape Of(MethodInfo lambda) =>
        Shapes.GetOrAdd(lambda, static method => new ClosureShape(method.DeclaringType!, CapturedFields.UsedBy(method), 0, method));

    /// <summary>Whether <paramref name="type"/> is a compiler-generated closure class: the only kind of object made from the wire.</summary>
    public static bool IsClosure(Type type) =>
        type is { IsClass: true, IsGenericType: false } && type.Name.StartsWith("<>c__DisplayClass", StringComparison.Ordinal)
        && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    /// <summary>The captured values of <paramref name="closure"/>, read now, in wire form.</summary>
    /// <exception cref="SerializationException">A value cannot be serialized; the message names its variable.</exception>
    public byte[] Encode(object closure)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, closure);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A new closure of this type holding the values <paramref name="captures"/> carries.</summary>
    /// <exception cref="SerializationException">The values are malformed or are not of the variables' types; the message names the variable.</exception>
    public object Decode(byte[] captures)
    {
        var reader = new MessagePackReader(captures);
        object closure;
        try
        {
            closure = Read(ref reader);
        }
        catch (Exception ex) when (ex is not SerializationException)
        {
            // A header or length the bytes cannot hold (MessagePack checks counts against what is left).
            throw new SerializationException($"Malformed captured values: {ex.Message}", ex);
        }
        if (!reader.End)
            throw new SerializationException("Malformed captured values: bytes left over after the closure's last field.");
        return closure;
    }

    /// <summary>The lambda as a <paramref name="delegateType"/>, bound to a new closure holding the values <paramref name="captures"/> carries.</summary>
    /// <exception cref="SerializationException">The values are malformed or are not of the variables' types.</exception>
    public Delegate Bind(Type delegateType, byte[] captures) => _binders.GetOrAdd(delegateType, BinderOf)(Decode(captures));

    /// <summary>Compiles <c>closure =&gt; new TDelegate(closure.Lambda)</c>: what <c>CreateDelegate</c> does, without its reflection per call.</summary>
    private Func<object, Delegate> BinderOf(Type delegateType)
    {
        var lambda = _lambda ?? throw new InvalidOperationException("Only a lambda's own closure binds it.");
        var bind = new DynamicMethod($"Bind{lambda.Name}", typeof(Delegate), [typeof(object)], typeof(ClosureShape).Module, skipVisibility: true);
        var il = bind.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Castclass, _type);
        il.Emit(OpCodes.Ldftn, lambda);
        il.Emit(OpCodes.Newobj, delegateType.GetConstructor([typeof(object), typeof(IntPtr)])
            ?? throw new InvalidOperationException($"{delegateType} is not a delegate type."));
        il.Emit(OpCodes.Ret);
        return bind.CreateDelegate<Func<object, Delegate>>();
    }

    /// <summary>Compiles the reading of <paramref name="field"/>'s value as its declared type, and the setting of the field.</summary>
    private static FieldReader ReaderOf(FieldInfo field) =>
        (FieldReader)typeof(ClosureShape).GetMethod(nameof(TypedReaderOf), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(field.FieldType).Invoke(null, [field])!;

    private static FieldReader TypedReaderOf<TField>(FieldInfo field)
    {
        var closure = Expression.Parameter(typeof(object));
        var value = Expression.Parameter(typeof(TField));
        var set = Expression.Lambda<Action<object, TField>>(
            Expression.Assign(Expression.Field(Expression.Convert(closure, field.DeclaringType!), field), value), closure, value).Compile();
        return (ref MessagePackReader reader, object target) => set(target, MessagePackSerializer.Deserialize<TField>(ref reader, WireCodec.Options));
    }

    private void Write(ref MessagePackWriter writer, object closure)
    {
        writer.WriteArrayHeader(_fields.Length);
        foreach (var (field, outer, _) in _fields)
        {
            var value = field.GetValue(closure);
            if (outer is null)
            {
                try
                {
                    MessagePackSerializer.Serialize(field.FieldType, ref writer, value, WireCodec.Options);
                }
                catch (Exception ex)
                {
                    throw new SerializationException(
                        $"captures the variable '{field.Name}' of type {field.FieldType}, whose value cannot be serialized: {ex.Message}", ex);
                }
            }
            else if (value is null)
                writer.WriteNil();
            else
                outer.Write(ref writer, value);
        }
    }

    private object Read(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        if (count != _fields.Length)
            throw new SerializationException($"Malformed captured values: {count} for a closure of {_fields.Length} variables.");
        // Uninitialized: a closure class's constructor sets nothing, and this runs no code of the assembly's.
        var closure = RuntimeHelpers.GetUninitializedObject(_type);
        foreach (var (field, outer, read) in _fields)
        {
            if (outer is not null)
            {
                field.SetValue(closure, reader.TryReadNil() ? null : outer.Read(ref reader));
                continue;
            }
            try
            {
                read!(ref reader, closure);
            }
            catch (Exception ex)
            {
                throw new SerializationException($"The captured variable '{field.Name}' of type {field.FieldType} cannot be read: {ex.Message}", ex);
            }
        }
        return closure;
    }

    /// <summary>Why the value of <paramref name="field"/>, one captured variable, cannot travel; null if it can.</summary>
    private static string? RefusalOf(FieldInfo field)
    {
        var type = field.FieldType;
        if (field.Name == ThisField)
        {
            return $"is a lambda that captures 'this' (it uses a member of {type}), so it cannot be sent to another process. Copy what it "
                + "needs into local variables before the lambda and use those in it instead";
        }
        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return $"captures the delegate '{field.Name}' ({type}), and a delegate cannot be sent to another process. Call the method it "
                + "stands for from the lambda instead (a static method is found by name on a node)";
        }
        if (type == typeof(object) || type.IsInterface || type.IsAbstract || type.IsPointer || type.IsByRef || type.ContainsGenericParameters
            || type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
        {
            return $"captures the variable '{field.Name}' declared as {type}, which cannot be sent to another process: its values travel "
                + "as data of the declared type, and a node cannot tell which type to make. Declare the variable with a concrete type "
                + "(a number, string, array, list, dictionary, or a record or class with public members), or pass the value as an argument";
        }
        if (DataShape.WhyNot(type) is { } why)
        {
            return $"captures the variable '{field.Name}' of type {type}, which cannot be sent to another process: {why}. Capture the "
                + "data the lambda needs instead (a number, string, array, list, dictionary, or a record or class whose public members its "
                + "constructor or setters take), or pass it as an argument";
        }
        return null;
    }
}
