using System.Collections.Concurrent;
using System.Reflection;

namespace ActorPool.Remote;

/// <summary>
/// Whether values of a type travel as data: whether the copy a node reads back from the wire is
/// the value that was sent. The wire writes an object's public members and reads it back through a
/// constructor that takes them, or its setters; state it does not write (a private field) or cannot
/// set back (a get-only property no constructor takes) comes back as the default, silently. So a
/// type is refused when one of its fields is such state (a <see cref="CancellationTokenSource"/>
/// would arrive uncancelled, a pool as a new pool made on the node), and so is a type of .NET's own
/// beyond plain data, collections and tuples (tokens, locks, tasks, streams). Checked from the type
/// alone, before any value is read or made; a property computed from the others holds no state of
/// its own and is made again on the node.
/// </summary>
internal static class DataShape
{
    private const int MaxDepth = 8;

    private static readonly ConcurrentDictionary<Type, string?> Checked = new();

    /// <summary>.NET's value types and classes that travel as what they are.</summary>
    private static readonly HashSet<Type> PlainData =
    [
        typeof(string), typeof(decimal), typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan), typeof(Guid), typeof(DateOnly),
        typeof(TimeOnly), typeof(Half), typeof(Int128), typeof(UInt128), typeof(System.Numerics.BigInteger), typeof(Uri), typeof(Version),
    ];

    /// <summary>Namespaces whose generic types are collections: data when their type arguments are.</summary>
    private static readonly HashSet<string> Collections =
        ["System.Collections.Generic", "System.Collections.Immutable", "System.Collections.ObjectModel", "System.Collections.Concurrent"];

    /// <summary>Why values of <paramref name="type"/> do not travel as data, as the end of a sentence about it; null when they do.</summary>
    public static string? WhyNot(Type type) => Checked.GetOrAdd(type, static t => Check(t, depth: 0, []));

    private static string? Check(Type type, int depth, HashSet<Type> seen)
    {
        if (depth > MaxDepth || !seen.Add(type))
            return null; // a type already being checked, or nested beyond what is worth reading
        if (Nullable.GetUnderlyingType(type) is { } underlying)
            return Check(underlying, depth, seen);
        if (type.IsPrimitive || type.IsEnum || PlainData.Contains(type))
            return null;
        if (type.IsArray)
            return Check(type.GetElementType()!, depth + 1, seen);
        // Declared as object, an interface or an abstract class (a member's type; a captured variable's is refused before):
        // what travels is decided by the value, as it always was.
        if (type == typeof(object) || type.IsInterface && !IsCollection(type) || type.IsAbstract)
            return null;
        if (type.IsGenericType && (IsCollection(type) || IsTupleLike(type)))
            return type.GetGenericArguments().Select(argument => Check(argument, depth + 1, seen)).FirstOrDefault(why => why is not null);
        if (type.Namespace is { } ns && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal)))
            return $"{Name(type)} is not plain data (a token, a lock, a task, a stream or a handle is not sent as what it is)";
        if (!type.IsVisible && !IsAnonymous(type))
            return $"{Name(type)} is not public, and the wire writes only public types: declare it public (a type nested in another needs that one public too)";
        if (CollectionBase(type) is { } collection)
        {
            // A type derived from one of .NET's collections travels as that collection: its
            // elements, which must be data (the collection's own fields are its storage, written as
            // those elements). A field a derived type adds does not travel at all.
            for (var derived = type; derived != collection; derived = derived!.BaseType)
            {
                if (HasFields(derived!))
                    return $"{Name(type)} is a {Name(collection.GetGenericTypeDefinition())} with state of its own beside its elements, which the wire "
                        + "does not carry (it sends a collection's elements only), so a node would get a different value";
            }
            return collection.GetGenericArguments().Select(argument => Check(argument, depth + 1, seen)).FirstOrDefault(why => why is not null);
        }
        var constructorParameters = type.GetConstructors()
            .SelectMany(constructor => constructor.GetParameters())
            .Select(parameter => parameter.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        // Every field of the object is its state: each must be one the wire writes and sets back.
        // A property computed from others has no field, and is made again on the node.
        for (var declaring = type; declaring is not null && declaring != typeof(object) && declaring != typeof(ValueType); declaring = declaring.BaseType)
        {
            foreach (var field in declaring.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!TravelsBack(declaring, field, constructorParameters))
                {
                    var member = MemberOf(field);
                    return member is null
                        ? $"{Name(type)} keeps state in its private field {field.Name}, which the wire does not carry, so a node would get a different value"
                        : $"{Name(type)} has the property {member}, which a node could not set back (it has no public setter, and no constructor takes it), so a node would get a different value";
                }
                if (Check(field.FieldType, depth + 1, seen) is { } why)
                    return why;
            }
        }
        return null;
    }

    /// <summary>
    /// Whether the wire writes <paramref name="field"/> and sets it back: a public field, or a
    /// property's (an auto-property's, or a private field named after a public property, such as
    /// <c>_x</c> behind <c>X</c>), settable or taken by a constructor.
    /// </summary>
    private static bool TravelsBack(Type declaring, FieldInfo field, HashSet<string?> constructorParameters)
    {
        if (field.IsPublic)
            return !field.IsInitOnly || constructorParameters.Contains(field.Name);
        if ((MemberOf(field) ?? BackedProperty(field)) is not { } name)
            return false;
        var property = declaring.GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly);
        return property?.GetMethod is { IsPublic: true } && (property.SetMethod is { IsPublic: true } || constructorParameters.Contains(name));
    }

    /// <summary>The property whose value <paramref name="field"/> holds (an auto-property's or an anonymous type's), or null.</summary>
    private static string? MemberOf(FieldInfo field) =>
        field.Name is ['<', .. var rest] && rest.IndexOf('>') is var end and > 0 && (rest[end..] is ">k__BackingField" or ">i__Field")
            ? rest[..end]
            : null;

    /// <summary>The .NET collection <paramref name="type"/> derives from, if any.</summary>
    private static Type? CollectionBase(Type type)
    {
        for (var ancestor = type.BaseType; ancestor is not null; ancestor = ancestor.BaseType)
        {
            if (ancestor.IsGenericType && IsCollection(ancestor))
                return ancestor;
        }
        return null;
    }

        private static bool HasFields(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Length > 0;

        /// <summary>The property a private field named <c>_x</c>, <c>m_x</c> or <c>x</c> stands behind, by the C# convention: the name without its prefix; null for another field.</summary>
    private static string? BackedProperty(FieldInfo field)
    {
        var name = field.Name.StartsWith("m_", StringComparison.Ordinal) ? field.Name[2..] : field.Name.TrimStart('_');
        return name.Length > 0 && char.IsLetter(name[0]) ? char.ToUpperInvariant(name[0]) + name[1..] : null;
    }

    /// <summary>Whether <paramref name="type"/> is a C# anonymous type: internal, but written and read by its public properties and constructor.</summary>
    private static bool IsAnonymous(Type type) =>
        type.Name.Contains("AnonymousType", StringComparison.Ordinal) && type.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false);

    private static bool IsCollection(Type type) => type.Namespace is { } ns && Collections.Contains(ns);

    private static bool IsTupleLike(Type type)
    {
        var definition = type.GetGenericTypeDefinition();
        return definition.Namespace == "System" && (definition.Name.StartsWith("ValueTuple`", StringComparison.Ordinal)
                                                    || definition.Name.StartsWith("Tuple`", StringComparison.Ordinal));
    }

    private static string Name(Type type) => type.FullName ?? type.Name;
}
