using System.Reflection;
using System.Text;

namespace ActorPool.Testing;

/// <summary>
/// Pins a public API: code outside this repository compiles against it, so a change must be
/// deliberate. Each assembly's API is compared with its approved file, copied next to the tests
/// (<c>PublicApi/&lt;assembly&gt;.approved.txt</c>); when they differ, the API as it is now is
/// written beside it as a "received" file, to compare and, if the change is intended, to copy over.
/// </summary>
public static class PublicApi
{
    /// <summary>Null when the public API of <paramref name="assembly"/> matches its approved file; otherwise what differs, for a test to fail with.</summary>
    public static string? Compare(Assembly assembly)
    {
        var name = assembly.GetName().Name;
        var received = Describe(assembly);
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi", $"{name}.approved.txt");
        var approved = File.ReadAllText(approvedPath).ReplaceLineEndings("\n");
        if (approved == received)
            return null;
        var receivedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi", $"{name}.received.txt");
        File.WriteAllText(receivedPath, received);
        return $"The public API of {name} changed. Compare {approvedPath} with {receivedPath}.";
    }

    /// <summary>The exported types of <paramref name="assembly"/> that are neither sealed (static classes included), enums nor interfaces.</summary>
    public static IEnumerable<string> Unsealed(Assembly assembly) =>
        assembly.GetExportedTypes().Where(type => !type.IsEnum && !type.IsSealed && !type.IsInterface).Select(type => type.FullName!);

    /// <summary>The public API of <paramref name="assembly"/>, one line a type or member, in a stable order.</summary>
    public static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(TypeHeader(type)).Append('\n');
            const BindingFlags declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = type.GetMembers(declared)
                .Where(member => member is not FieldInfo { IsSpecialName: true })
                .Where(member => member is not MethodInfo { IsSpecialName: true } || member.Name.StartsWith("op_", StringComparison.Ordinal))
                .Select(Member)
                .OrderBy(line => line, StringComparer.Ordinal);
            foreach (var member in members)
                text.Append("  ").Append(member).Append('\n');
        }
        return text.ToString();
    }

    private static string TypeHeader(Type type)
    {
        var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : "class";
        var modifiers = type is { IsAbstract: true, IsSealed: true } ? "static " : type.IsSealed && !type.IsValueType && !type.IsEnum ? "sealed " : "";
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(Enum) && baseType != typeof(ValueType))
            bases.Add(Name(baseType));
        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return $"{modifiers}{kind} {Name(type)}" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : "");
    }

    private static string Member(MemberInfo member) => member switch
    {
        ConstructorInfo ctor => $"ctor({Parameters(ctor.GetParameters())})",
        MethodInfo method => $"{(method.IsStatic ? "static " : "")}{Name(method.ReturnType)} {method.Name}{GenericArguments(method)}({Parameters(method.GetParameters())})",
        PropertyInfo property => $"{Name(property.PropertyType)} {property.Name} {{ {Accessors(property)}}}",
        FieldInfo field => field.DeclaringType!.IsEnum ? $"{field.Name} = {field.GetRawConstantValue()}" : $"{(field.IsStatic ? "static " : "")}{Name(field.FieldType)} {field.Name}",
        EventInfo @event => $"event {Name(@event.EventHandlerType!)} {@event.Name}",
        Type nested => $"nested {Name(nested)}",
        _ => member.ToString()!,
    };

    private static string Accessors(PropertyInfo property)
    {
        var text = "";
        if (property.GetMethod is { IsPublic: true })
            text += "get; ";
        if (property.SetMethod is { IsPublic: true } setter)
            text += setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit") ? "init; " : "set; ";
        return text;
    }

    private static string GenericArguments(MethodInfo method) =>
        method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Parameters(ParameterInfo[] parameters) =>
        string.Join(", ", parameters.Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
            return type.Name;
        if (type.IsArray)
            return Name(type.GetElementType()!) + "[]";
        if (type.IsByRef)
            return "ref " + Name(type.GetElementType()!);
        var name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
        if (!type.IsGenericType)
            return name;
        var tick = name.IndexOf('`');
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}
