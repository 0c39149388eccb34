using System.Collections.Concurrent;
using System.Reflection;
using ActorPool.Protocol;
using MessagePack;
using MessagePack.Resolvers;

namespace ActorPool.Remote;

/// <summary>
/// Arguments and results on the wire: MessagePack, decoded with the types the function's own
/// signature names and nothing else (no type names travel with the data), under MessagePack's
/// untrusted-data limits.
/// </summary>
internal static class WireCodec
{
    public static readonly MessagePackSerializerOptions Options =
        ContractlessStandardResolver.Options.WithSecurity(MessagePackSecurity.UntrustedData);

    private static readonly ConcurrentDictionary<FunctionRef, Shape> Shapes = new();

    /// <summary>Serializes a work's arguments; throws when a value cannot be serialized.</summary>
    public static byte[] EncodeItems(Array? items) =>
        items is null ? [] : MessagePackSerializer.Serialize(items.GetType(), items, Options);

    /// <summary>Serializes a chunk's result values; throws when a value cannot be serialized.</summary>
    public static byte[] EncodeValues(Array values) => MessagePackSerializer.Serialize(values.GetType(), values, Options);

    /// <summary>
    /// Rebuilds runnable work from the wire: the function found by reference (a closure's bound to a
    /// new closure holding its captured values), the arguments as its parameters' types.
    /// </summary>
    public static ChunkWork DecodeWork(WireFunction function, byte[] items, TaskRules? rules)
    {
        var shape = ShapeOf(function.Method);
        var bound = function.Captures is null && shape.Function is { } found
            ? found
            : function.Bind(shape.Method, target: null, shape.DelegateType);
        return shape.MakeWork(bound, items, rules);
    }

    /// <summary>A predicate on exceptions (<see cref="JobOptions.RetryIf"/>) found by reference.</summary>
    /// <exception cref="InvalidOperationException">The method is not here, or is not a predicate on exceptions.</exception>
    public static Func<Exception, bool> DecodePredicate(FunctionRef predicate)
    {
        var (method, target) = predicate.Resolve();
        if (method.ReturnType != typeof(bool) || method.GetParameters() is not [{ ParameterType: var parameter }] || parameter != typeof(Exception))
            throw new InvalidOperationException($"{predicate.Display} is not a Func<Exception, bool>, so it cannot be a RetryIf.");
        return method.CreateDelegate<Func<Exception, bool>>(target);
    }

    /// <summary>
    /// A pool's initializer found by reference; if it cannot be, an initializer that throws why, so
    /// that the pool's tasks on this worker fail with the reason (as with one that throws).
    /// </summary>
    public static Action DecodeInitializer(WireFunction initializer)
    {
        try
        {
            var (method, target) = initializer.Method.Resolve();
            if (method.ReturnType != typeof(void) || method.GetParameters().Length != 0)
                throw new InvalidOperationException($"{initializer.Display} is not an Action, so it cannot be an Initializer.");
            return (Action)initializer.Bind(method, target, typeof(Action));
        }
        catch (Exception ex)
        {
            // Whatever resolving throws (a type initializer included): dropping the batch would hang its chunks.
            return () => throw new InvalidOperationException($"The pool's Initializer cannot run on this node: {ex.Message}", ex);
        }
    }

    /// <summary>Rebuilds a typed <c>ChunkResult&lt;TResult&gt;</c>, TResult being the function's return type.</summary>
    public static object DecodeResult(FunctionRef function, long jobId, long chunkIndex, long offset, byte[] values, ItemFailure[]? failures, int count,
        TimeSpan? runTime = null, int retries = 0) =>
        ShapeOf(function).MakeResult(jobId, chunkIndex, offset, values, failures, count, runTime, retries);

    private static Shape ShapeOf(FunctionRef function) => Shapes.GetOrAdd(function, static reference =>
    {
        var (method, target) = reference.Resolve();
        var parameters = method.GetParameters().Select(parameter => parameter.ParameterType).ToArray();
        var types = parameters.Append(method.ReturnType).ToArray();
        var (delegateType, factory) = parameters.Length switch
        {
            0 => (typeof(Func<>), nameof(Thunk)),
            1 => (typeof(Func<,>), nameof(Map)),
            2 => (typeof(Func<,,>), nameof(StarMap)),
            3 => (typeof(Func<,,,>), nameof(StarMap3)),
            4 => (typeof(Func<,,,,>), nameof(StarMap4)),
            _ => throw new InvalidOperationException($"The function {reference.Display} takes {parameters.Length} arguments; at most 4 are supported."),
        };
        // A closure's method has no target until its chunk's captured values make one (DecodeWork).
        var closedType = delegateType.MakeGenericType(types);
        var function = target is null && !method.IsStatic ? null : method.CreateDelegate(closedType, target);
        var makeWork = typeof(WireCodec).GetMethod(factory, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(types).CreateDelegate<Func<Delegate, byte[], TaskRules?, ChunkWork>>();
        // An async function's results are the values of its tasks: the work awaits them (AsyncWork).
        var resultType = method.ReturnType;
        if (resultType.IsGenericType && resultType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            resultType = resultType.GetGenericArguments()[0];
            var makeCalls = makeWork;
            var awaiting = typeof(WireCodec).GetMethod(nameof(Awaiting), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(resultType).CreateDelegate<Func<ChunkWork, TaskRules?, ChunkWork>>();
            makeWork = (function, items, rules) => awaiting(makeCalls(function, items, null), rules);
        }
        var makeResult = typeof(WireCodec).GetMethod(nameof(Result), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(resultType).CreateDelegate<Func<long, long, long, byte[], ItemFailure[]?, int, TimeSpan?, int, object>>();
        return new Shape(method, closedType, function, makeWork, makeResult);
    });

    private static ChunkWork Thunk<TResult>(Delegate function, byte[] items, TaskRules? rules) =>
        new ThunkWork<TResult>((Func<TResult>)function) { Rules = rules };

    private static ChunkWork Map<T, TResult>(Delegate function, byte[] items, TaskRules? rules) =>
        new MapWork<T, TResult>((Func<T, TResult>)function, MessagePackSerializer.Deserialize<T[]>(items, Options)) { Rules = rules };

    private static ChunkWork StarMap<T1, T2, TResult>(Delegate function, byte[] items, TaskRules? rules) =>
        StarWork.Of((Func<T1, T2, TResult>)function, MessagePackSerializer.Deserialize<(T1, T2)[]>(items, Options), rules);

    private static ChunkWork StarMap3<T1, T2, T3, TResult>(Delegate function, byte[] items, TaskRules? rules) =>
        StarWork.Of((Func<T1, T2, T3, TResult>)function, MessagePackSerializer.Deserialize<(T1, T2, T3)[]>(items, Options), rules);

    private static ChunkWork StarMap4<T1, T2, T3, T4, TResult>(Delegate function, byte[] items, TaskRules? rules) =>
        StarWork.Of((Func<T1, T2, T3, T4, TResult>)function, MessagePackSerializer.Deserialize<(T1, T2, T3, T4)[]>(items, Options), rules);

    private static ChunkWork Awaiting<TResult>(ChunkWork calls, TaskRules? rules) =>
        new AsyncWork<TResult>((ChunkWork<Task<TResult>>)calls) { Rules = rules };

    private static object Result<TResult>(long jobId, long chunkIndex, long offset, byte[] values, ItemFailure[]? failures, int count, TimeSpan? runTime, int retries) =>
        new ChunkResult<TResult>(jobId, chunkIndex, offset,
            values.Length == 0 ? new TResult[count] : MessagePackSerializer.Deserialize<TResult[]>(values, Options), failures) { RunTime = runTime, Retries = retries };

    /// <param name="Method">The function's method.</param>
    /// <param name="DelegateType">The <c>Func&lt;…&gt;</c> of its signature.</param>
    /// <param name="Function">The method as that delegate; null for a closure's, which is bound per chunk.</param>
    /// <param name="MakeWork">Makes the work of a chunk from the function and its encoded items.</param>
    /// <param name="MakeResult">Makes a typed chunk result from encoded values.</param>
    private sealed record Shape(MethodInfo Method, Type DelegateType, Delegate? Function, Func<Delegate, byte[], TaskRules?, ChunkWork> MakeWork,
        Func<long, long, long, byte[], ItemFailure[]?, int, TimeSpan?, int, object> MakeResult);
}
