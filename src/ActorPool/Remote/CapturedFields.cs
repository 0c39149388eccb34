using System.Buffers.Binary;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace ActorPool.Remote;

/// <summary>
/// Which captured variables a lambda uses. C# keeps one closure per scope, holding every variable
/// that any lambda of the scope captures, so a lambda's closure may hold variables it never reads
/// (another lambda's <c>pool</c> or <c>this</c>). This reads the lambda's IL, and that of the code
/// it builds (nested lambdas and local functions, an async or iterator lambda's state machine),
/// for the closure fields it loads, stores or takes a token of: only those travel.
/// </summary>
/// <remarks>
/// Both sides read the same IL (the reference names the module version), so they agree on the
/// fields. Whatever cannot be read with certainty (a token that does not resolve, an opcode this
/// does not know, a method body not found) makes every field count as used: a field is left out
/// only when no code that can run on the closure mentions it.
/// </remarks>
internal static class CapturedFields
{
    /// <summary>Methods read for one lambda at most; past it every field counts as used.</summary>
    private const int MaxMethods = 256;

    private static readonly OpCode?[] OneByte = new OpCode?[256];
    private static readonly OpCode?[] TwoByte = new OpCode?[256];

    static CapturedFields()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            var value = (ushort)code.Value;
            if (code.Size == 1)
                OneByte[value] = code;
            else
                TwoByte[value & 0xFF] = code;
        }
    }

    /// <summary>The metadata tokens of the closure fields <paramref name="lambda"/> uses; null when that cannot be told, and every field counts.</summary>
    public static HashSet<int>? UsedBy(MethodInfo lambda)
    {
        var used = new HashSet<int>();
        var seen = new HashSet<MethodBase>();
        var pending = new Stack<MethodBase>();
        pending.Push(lambda);
        try
        {
            while (pending.TryPop(out var method))
            {
                if (!seen.Add(method))
                    continue;
                if (seen.Count > MaxMethods)
                    return null;
                // An async or iterator method's body only starts its state machine, whose MoveNext holds the code.
                if (method.GetCustomAttribute<StateMachineAttribute>() is { StateMachineType: { } machine })
                    pending.Push(machine.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!);
                if (method.GetMethodBody()?.GetILAsByteArray() is { } il)
                    Read(il, method.Module, used, pending);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or BadImageFormatException or InvalidOperationException or NullReferenceException
                                       or IndexOutOfRangeException or TypeLoadException or MissingMemberException)
        {
            return null;
        }
        return used;
    }

    private static void Read(byte[] il, Module module, HashSet<int> used, Stack<MethodBase> pending)
    {
        for (var at = 0; at < il.Length;)
        {
            var code = (il[at] == 0xFE ? TwoByte[il[at + 1]] : OneByte[il[at]])
                ?? throw new InvalidOperationException($"Unknown opcode 0x{il[at]:X2} at {at}.");
            at += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineField:
                    Use(module.ResolveField(Token(il, at)), used);
                    break;
                case OperandType.InlineMethod:
                    Follow(module.ResolveMethod(Token(il, at)), module, pending);
                    break;
                case OperandType.InlineTok:
                    // An expression tree names a captured variable by its field's token.
                    switch (module.ResolveMember(Token(il, at)))
                    {
                        case FieldInfo field:
                            Use(field, used);
                            break;
                        case MethodBase method:
                            Follow(method, module, pending);
                            break;
                    }
                    break;
            }
            at += code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * Token(il, at),
                _ => 4,
            };
        }
    }

    private static int Token(byte[] il, int at) => BinaryPrimitives.ReadInt32LittleEndian(il.AsSpan(at, 4));

    private static void Use(FieldInfo? field, HashSet<int> used)
    {
        if (field?.DeclaringType is { } type && ClosureShape.IsClosure(type))
            used.Add(field.MetadataToken);
    }

    /// <summary>Reads on into code the compiler made for the lambda: a nested lambda, a local function, a closure's or state machine's methods.</summary>
    private static void Follow(MethodBase? method, Module module, Stack<MethodBase> pending)
    {
        if (method is not null && method.Module == module
            && (method.Name.StartsWith('<') || method.DeclaringType?.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) == true))
            pending.Push(method);
    }
}
