using System.Reflection;
using System.Reflection.Emit;

namespace ActorPool.Tests.Layout;

/// <summary>
/// Which of an assembly's folders (its namespaces under <c>ActorPool.</c>: <c>Routing</c>,
/// <c>Remote</c> for <c>Remote.Plane</c> too, "" for the root) refer to which others, read from the
/// compiled code rather than the sources: every type's base, interfaces, fields, properties and
/// method signatures, and every type, method and field its methods' IL names. A <c>var</c> or a
/// lambda hides a reference from the sources' usings, never from the IL.
/// </summary>
internal static class FolderReferences
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
        | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    /// <summary>For each folder of <paramref name="assembly"/>, each other folder it refers to, with one type that does (for the message).</summary>
    public static Dictionary<string, Dictionary<string, string>> Of(Assembly assembly)
    {
        var references = new Dictionary<string, Dictionary<string, string>>();
        foreach (var type in assembly.GetTypes())
        {
            var from = FolderOf(type, assembly);
            if (from is null)
                continue;
            var seen = new HashSet<Type>();
            foreach (var referenced in ReferencedBy(type))
                Collect(referenced, seen);
            var mine = references.TryGetValue(from, out var found) ? found : references[from] = [];
            foreach (var to in seen.Select(t => FolderOf(t, assembly)).OfType<string>().Where(to => to != from))
                mine.TryAdd(to, type.FullName ?? type.Name);
        }
        return references;
    }

    private static string? FolderOf(Type type, Assembly assembly)
    {
        if (type.Assembly != assembly || type.Namespace is not { } name || !name.StartsWith("ActorPool", StringComparison.Ordinal))
            return null;
        var parts = name.Split('.');
        return parts.Length > 1 ? parts[1] : "";
    }

    private static IEnumerable<Type> ReferencedBy(Type type)
    {
        if (type.BaseType is { } baseType)
            yield return baseType;
        foreach (var implemented in type.GetInterfaces())
            yield return implemented;
        foreach (var field in type.GetFields(Declared))
            yield return field.FieldType;
        foreach (var property in type.GetProperties(Declared))
            yield return property.PropertyType;
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
                yield return info.ReturnType;
            foreach (var parameter in method.GetParameters())
                yield return parameter.ParameterType;
            foreach (var named in NamedInBody(method))
                yield return named;
        }
    }

    /// <summary>The types that <paramref name="method"/>'s IL names: its operands' types, methods' and fields' declaring types and signatures.</summary>
    private static IEnumerable<Type> NamedInBody(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
            return [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var named = new List<Type>();
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
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                    at += 4;
                    switch (member)
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
                            if (called is MethodInfo { IsGenericMethod: true } generic)
                                named.AddRange(generic.GetGenericArguments());
                            break;
                    }
                    break;
                default: // InlineI, InlineBrTarget, InlineString, InlineSig, ShortInlineR
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
