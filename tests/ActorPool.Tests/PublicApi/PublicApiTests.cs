using System.Reflection;
using System.Text;

namespace ActorPool.Tests.PublicApi;

/// <summary>
/// Pins the public API: code outside this repository compiles against it, so a change must be
/// deliberate. When this fails, read the diff; if the change is intended, copy the "received" file
/// the failure names over ActorPool.approved.txt.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MatchesTheApprovedFile()
    {
        var received = Describe(typeof(Pool).Assembly);
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi", "ActorPool.approved.txt");
        var approved = File.ReadAllText(approvedPath).ReplaceLineEndings("\n");
        if (approved != received)
        {
            var receivedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi", "ActorPool.received.txt");
            File.WriteAllText(receivedPath, received);
            Assert.Fail($"The public API changed. Compare {approvedPath} with {receivedPath}.");
        }
    }

    [Fact]
    public void PublicTypes_AreSealedOrEnums()
    {
        var unsealed = typeof(Pool).Assembly.GetExportedTypes()
            .Where(type => !type.IsEnum && !type.IsSealed && !type.IsInterface)
            .Select(type => type.FullName);
        Assert.Empty(unsealed);
    }

    internal static string Describe(Assembly assembly)
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
