using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace ActorPool.Remote;

/// <summary>
/// A function named the way pickle names one: by assembly, method and module version, so a node
/// can find the same method in its own copy of the assembly. Only what can be found again that way
/// may travel: static methods, lambdas that capture nothing (C# compiles those to methods of a
/// stateless singleton), and lambdas on the compiler's closure class, whose captured values travel
/// beside the name (<see cref="WireFunction"/>). An instance method is refused when it is submitted.
/// </summary>
/// <remarks>
/// A reference read from the wire resolves only in an assembly this process trusts: one it named
/// a function from itself, or, on a node host, one given with <c>--load</c>. It never loads an
/// assembly by a name read from the wire, and never reaches the framework's own methods.
/// </remarks>
internal sealed record FunctionRef(string AssemblyName, Guid ModuleVersionId, int MetadataToken, string Display)
{
    private static readonly ConcurrentDictionary<FunctionRef, (MethodInfo Method, object? Target)> Resolved = new();
    private static readonly ConditionalWeakTable<MethodInfo, FunctionRef> Created = new();
    private static readonly ConcurrentDictionary<Assembly, bool> Trusted = new();

    /// <summary>Trusts <paramref name="assembly"/>'s functions to be run when named from the wire (the node host's <c>--load</c>).</summary>
    public static void Trust(Assembly assembly) => Trusted[assembly] = true;

    /// <summary>The reference for <paramref name="function"/>, which must capture nothing.</summary>
    /// <param name="function">The delegate to name.</param>
    /// <param name="paramName">The argument it was passed as, for the exception.</param>
    /// <param name="advice">What to do instead, for a delegate that cannot be named; null for a task's function's.</param>
    /// <exception cref="ArgumentException">The function cannot be named: it captures state, is an instance method, is generic or is dynamic.</exception>
    public static FunctionRef Create(Delegate function, string paramName, string? advice = null) =>
        Name(function, paramName, advice, closures: false);

    /// <summary>
    /// The reference for <paramref name="function"/>'s method. With <paramref name="closures"/>, a
    /// lambda's closure is let through for its captured values to travel beside the name (see
    /// <see cref="WireFunction.Freeze{TFunc}"/>, which checks them); without, only a function that
    /// captures nothing is.
    /// </summary>
    /// <exception cref="ArgumentException">The function cannot be named (see <see cref="Create"/>).</exception>
    internal static FunctionRef Name(Delegate function, string paramName, string? advice, bool closures)
    {
        var method = function.Method;
        // Values are encoded and decoded as the method's own types: a method returning string
        // passed as a Func<int, object> would come back as string results that its job, expecting
        // object ones, could not take.
        var invoke = function.GetType().GetMethod("Invoke")!;
        if (invoke.ReturnType != method.ReturnType
            || !invoke.GetParameters().Select(p => p.ParameterType).SequenceEqual(method.GetParameters().Select(p => p.ParameterType)))
        {
            throw new ArgumentException(
                $"The function {method.DeclaringType?.FullName}.{method.Name} has the signature {method}, but was passed as a delegate of "
                + $"another signature ({invoke}); arguments and results travel to other processes as the method's own types. "
                + "Pass it with the type arguments of its own signature.", paramName);
        }
        var closure = function.Target is { } target && ClosureShape.IsClosure(target.GetType());
        if (Created.TryGetValue(method, out var known) && (IsStateless(function) || closures && closure))
            return known;
        var display = $"{method.DeclaringType?.FullName}.{method.Name}";
        if (function.GetInvocationList().Length > 1)
            throw Refuse(paramName, advice, display, "is a multicast delegate", closures);
        if (!IsStateless(function) && !(closures && closure))
        {
            var owner = function.Target!.GetType();
            if (owner.IsDefined(typeof(CompilerGeneratedAttribute)))
            {
                // A closure of a generic method is itself generic: its captured values' types depend on the type arguments.
                throw Refuse(paramName, advice, display, closures && owner.IsGenericType ? "is generic" : "is a lambda that captures variables", closures);
            }
            // A lambda that captures only 'this' is compiled to an instance method of the class itself, named <Method>b__….
            if (method.Name.StartsWith('<'))
            {
                throw Refuse(paramName, "Copy what it needs into local variables before the lambda and use those in it"
                    + (advice is null ? ", or make it static and pass what it needs as arguments." : ". " + advice),
                    display, $"is a lambda that captures 'this' (it uses a member of {owner.FullName})", closures);
            }
            throw Refuse(paramName, advice, display, $"is an instance method of {owner.FullName}", closures);
        }
        if (method.IsGenericMethod || method.DeclaringType is { ContainsGenericParameters: true } || method.DeclaringType?.IsGenericType == true)
            throw Refuse(paramName, advice, display, "is generic", closures);
        if (method.Module.Assembly.IsDynamic || method.DeclaringType is null)
            throw Refuse(paramName, advice, display, "was emitted at run time", closures);
        var reference = new FunctionRef(method.Module.Assembly.FullName!, method.Module.ModuleVersionId, method.MetadataToken, display);
        Created.AddOrUpdate(method, reference);
        Trust(method.Module.Assembly);
        return reference;
    }

    /// <summary>The method and its target (null, or the singleton of a non-capturing lambda; null for a closure's method, whose target travels as values) in this process.</summary>
    /// <exception cref="InvalidOperationException">The assembly or method is not here, or is a different build.</exception>
    public (MethodInfo Method, object? Target) Resolve() => Resolved.GetOrAdd(this, static reference => reference.Load());

    private (MethodInfo Method, object? Target) Load()
    {
        var assembly = Trusted.Keys.FirstOrDefault(candidate => candidate.FullName == AssemblyName)
            ?? throw new InvalidOperationException(
                $"The function {Display} cannot run here: its assembly {AssemblyName} is not one this process trusts (start the node with --load <path to the assembly>).");
        var module = assembly.ManifestModule;
        if (module.ModuleVersionId != ModuleVersionId)
            throw new InvalidOperationException(
                $"The function {Display} cannot run here: this process has a different build of {AssemblyName} than the one that submitted it.");
        if (module.ResolveMethod(MetadataToken) is not MethodInfo method)
            throw new InvalidOperationException($"The function {Display} cannot run here: its method was not found in {AssemblyName}.");
        object? target = null;
        // A lambda that captures variables runs on a closure made from its chunk's captured values (WireFunction.Bind).
        if (!method.IsStatic && !ClosureShape.IsClosure(method.DeclaringType!))
        {
            // A lambda that captures nothing lives on a compiler-generated singleton, held in a static field of its own type.
            var singleton = method.DeclaringType!.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                .FirstOrDefault(field => field.FieldType == method.DeclaringType);
            target = singleton?.GetValue(null)
                ?? throw new InvalidOperationException($"The function {Display} is an instance method and cannot run here.");
        }
        return (method, target);
    }

    /// <summary>
    /// The same method, whatever its <see cref="Display"/> says: references read from the wire key
    /// this process's caches, and a peer varying the name alone must not grow them. Only references
    /// that resolve are cached, so they are bounded by the methods of the trusted assemblies.
    /// </summary>
    public bool Equals(FunctionRef? other) =>
        other is not null && MetadataToken == other.MetadataToken && ModuleVersionId == other.ModuleVersionId && AssemblyName == other.AssemblyName;

    public override int GetHashCode() => HashCode.Combine(ModuleVersionId, MetadataToken);

    /// <summary>True for static methods and for lambdas whose closure object holds no state.</summary>
    private static bool IsStateless(Delegate function) =>
        function.Target is null
        || (function.Target.GetType().IsDefined(typeof(CompilerGeneratedAttribute))
            && function.Target.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Length == 0);

    private static ArgumentException Refuse(string paramName, string? advice, string display, string why, bool closures) =>
        new($"The function {display} {why}, so it cannot be sent to another process: only a static method, or a lambda that "
            + (closures ? "captures nothing or only variables whose values can travel, " : "captures nothing, ")
            + "can be found again by name on a node. "
            + (advice ?? "Make it static and pass what it needs as arguments (StarMap takes up to four, Apply up to three)."), paramName);
}
