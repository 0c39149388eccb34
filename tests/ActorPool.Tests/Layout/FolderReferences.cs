using System.Reflection;
using System.Reflection.Emit;

namespace ActorPool.Tests.Layout;

/// <summary>
/// Which types each folder of an assembly refers to: a folder is a namespace under a root one
/// (<c>ActorPool.Routing</c> is <c>Routing</c>, <c>ActorPool.Remote.Plane</c> is <c>Remote</c>, the root
/// namespace itself is ""). Read from the compiled code, not the sources, where a <c>var</c> or a
/// lambda hides a reference from the usings: every type's base, interfaces, generic constraints,
/// fields, properties and method signatures, and in every method body its locals and each type,
/// method and field its IL names, with their signatures. Constants are not seen: they compile to values.
/// </summary>
internal static class FolderReferences
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
        | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    /// <summary>
    /// For each folder of <paramref name="assembly"/> under <paramref name="root"/>, each type of the
    /// assembly in another folder that it refers to, with one of its own types that does (for messages).
    /// </summary>
    public static Dictionary<string, Dictionary<Type, Type>> Of(Assembly assembly, string root)
    {
        var references = new Dictionary<string, Dictionary<Type, Type>>();
        foreach (var type in assembly.GetTypes())
        {
            if (FolderOf(type, assembly, root) is not { } from)
                continue;
            var seen = new HashSet<Type>();
            foreach (var referenced in ReferencedBy(type))
                Collect(referenced, seen);
            var mine = references.TryGetValue(from, out var found) ? found : references[from] = [];
            foreach (var other in seen.Where(other => FolderOf(other, assembly, root) is { } to && to != from))
                mine.TryAdd(other, type);
        }
        return references;
    }

    /// <summary>The folder of <paramref name="type"/>, or null if it is not one of <paramref name="assembly"/>'s under <paramref name="root"/>.</summary>
    public static string? FolderOf(Type type, Assembly assembly, string root)
    {
        if (type.Assembly != assembly || type.Namespace is not { } name)
            return null;
        if (name == root)
            return "";
        return name.StartsWith(root + ".", StringComparison.Ordinal) ? name[(root.Length + 1)..].Split('.')[0] : null;
    }

    private static IEnumerable<Type> ReferencedBy(Type type)
    {
        if (type.BaseType is { } baseType)
            yield return baseType;
        foreach (var implemented in type.GetInterfaces())
            yield return implemented;
        foreach (var constraint in Constraints(type.IsGenericTypeDefinition ? type.GetGenericArguments() : []))
            yield return constraint;
        foreach (var field in type.GetFields(Declared))
            yield return field.FieldType;
        foreach (var property in type.GetProperties(Declared))
            yield return property.PropertyType;
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            foreach (var signature in Signature(method))
                yield return signature;
            foreach (var constraint in Constraints(method.IsGenericMethodDefinition ? method.GetGenericArguments() : []))
                yield return constraint;
            foreach (var named in NamedInBody(method))
                yield return named;
        }
    }

    private static IEnumerable<Type> Signature(MethodBase method) =>
        (method is MethodInfo info ? [info.ReturnType] : Array.Empty<Type>()).Concat(method.GetParameters().Select(parameter => parameter.ParameterType));

    private static IEnumerable<Type> Constraints(Type[] parameters) => parameters.SelectMany(parameter => parameter.GetGenericParameterConstraints());

    /// <summary>The types <paramref name="method"/>'s body names: its locals, and its IL's operands (types; methods and fields, with their declaring types and signatures).</summary>
    private static List<Type> NamedInBody(MethodBase method)
    {
        var named = new List<Type>();
        var body = method.GetMethodBody();
        if (body is null)
            return named;
        named.AddRange(body.LocalVariables.Select(local => local.LocalType));
        var il = body.GetILAsByteArray()!;
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var value = (short)il[at++];
            if (value == 0xFE)
                value = (short)(0xFE00 | il[at++]);
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    switch (method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments))
                    {
                        case Type type:
                            named.Add(type);
                            break;
                        case FieldInfo field:
                            named.Add(field.DeclaringType!);
                            named.Add(field.FieldType);
                            break;
                        case MethodBase called:
                            named.Add(called.DeclaringType!);
                            named.AddRange(Signature(called));
                            if (called.IsGenericMethod)
                                named.AddRange(called.GetGenericArguments());
                            break;
                    }
                    at += 4;
                    break;
                default: // InlineI, InlineBrTarget, InlineString, InlineSig, ShortInlineR: four bytes
                    at += 4;
                    break;
            }
        }
        return named;
    }

    /// <summary>Adds <paramref name="type"/> and every type it is made of (elements, generic arguments).</summary>
    private static void Collect(Type type, HashSet<Type> seen)
    {
        if (type.IsGenericParameter || !seen.Add(type))
            return;
        if (type.HasElementType)
            Collect(type.GetElementType()!, seen);
        if (type.IsGenericType)
            foreach (var argument in type.GetGenericArguments())
                Collect(argument, seen);
    }
}
