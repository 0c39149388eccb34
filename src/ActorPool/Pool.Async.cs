using System.Runtime.CompilerServices;
using ActorPool.Observability;
using ActorPool.Protocol;

namespace ActorPool;

// The forms of every submission for a function that returns Task<TResult> (an async lambda, or a
// method group such as HttpClient.GetStringAsync): C# picks them over the Func<..., TResult> forms,
// which would otherwise return the unfinished tasks themselves. Each item's task is awaited by its
// worker, and its value is the result; the items of one chunk run at once, up to
// actorpool.async-items-per-worker (16) per worker. They have the higher overload resolution
// priority: where both forms apply (a callback whose body works with a value and with a task), C#
// picks this one, rather than refuse the call as ambiguous. StarMap's are in Pool.StarMap.cs, with
// its other forms.
public sealed partial class Pool
{
    /// <summary>
    /// Like <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, JobOptions?, CancellationToken)"/>,
    /// for an async function: each item's task is awaited on its worker, and its value is the result.
    /// The items of one chunk run at once, up to <c>actorpool.async-items-per-worker</c> (16) per worker.
    /// </summary>
    /// <inheritdoc cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public IReadOnlyList<TResult> Map<T, TResult>(Func<T, Task<TResult>> func, IEnumerable<T> iterable, int? chunkSize = null,
        JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        WaitOutside(nameof(Map));
        func = CheckArguments(func, iterable, chunkSize, options, awaited: true);
        var rules = TaskRules.Of(options);
        return SubmitMap(JobKind.Map, func, iterable, chunkSize, items => new AsyncWork<TResult>(new MapWork<T, Task<TResult>>(func, items)) { Rules = rules }, null, null,
            options, cancellationToken, shareArrays: true, awaited: true).Get();
    }

    /// <summary>The asynchronous form of <see cref="Map{T, TResult}(Func{T, Task{TResult}}, IEnumerable{T}, int?, JobOptions?, CancellationToken)"/>: returns at once.</summary>
    /// <inheritdoc cref="MapAsync{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, Action{IReadOnlyList{TResult}}?, Action{Exception}?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public AsyncResult<IReadOnlyList<TResult>> MapAsync<T, TResult>(Func<T, Task<TResult>> func, IEnumerable<T> iterable, int? chunkSize = null,
        Action<IReadOnlyList<TResult>>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        func = CheckArguments(func, iterable, chunkSize, options, awaited: true);
        var rules = TaskRules.Of(options);
        return SubmitMap(JobKind.Map, func, iterable, chunkSize, items => new AsyncWork<TResult>(new MapWork<T, Task<TResult>>(func, items)) { Rules = rules }, callback,
            errorCallback, options, cancellationToken, awaited: true);
    }

    /// <summary>Like <see cref="IMap{T, TResult}(Func{T, TResult}, IEnumerable{T}, int, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="IMap{T, TResult}(Func{T, TResult}, IEnumerable{T}, int, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public PoolIterator<TResult> IMap<T, TResult>(Func<T, Task<TResult>> func, IEnumerable<T> iterable, int chunkSize = 1,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        Stream(JobKind.IMap, func, iterable, chunkSize, ordered: true, options, cancellationToken,
            static (func, items, rules) => new AsyncWork<TResult>(new MapWork<T, Task<TResult>>(func, items)) { Rules = rules }, awaited: true);

    /// <summary>Like <see cref="IMapUnordered{T, TResult}(Func{T, TResult}, IEnumerable{T}, int, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="IMapUnordered{T, TResult}(Func{T, TResult}, IEnumerable{T}, int, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public PoolIterator<TResult> IMapUnordered<T, TResult>(Func<T, Task<TResult>> func, IEnumerable<T> iterable, int chunkSize = 1,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        Stream(JobKind.IMapUnordered, func, iterable, chunkSize, ordered: false, options, cancellationToken,
            static (func, items, rules) => new AsyncWork<TResult>(new MapWork<T, Task<TResult>>(func, items)) { Rules = rules }, awaited: true);

    /// <summary>Like <see cref="Apply{TResult}(Func{TResult}, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="Apply{TResult}(Func{TResult}, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public TResult Apply<TResult>(Func<Task<TResult>> func, JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, options: options, cancellationToken: cancellationToken).Get();

    /// <summary>Like <see cref="Apply{T1, TResult}(Func{T1, TResult}, T1, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="Apply{T1, TResult}(Func{T1, TResult}, T1, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public TResult Apply<T1, TResult>(Func<T1, Task<TResult>> func, T1 arg1, JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, arg1, options: options, cancellationToken: cancellationToken).Get();

    /// <summary>Like <see cref="Apply{T1, T2, TResult}(Func{T1, T2, TResult}, T1, T2, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="Apply{T1, T2, TResult}(Func{T1, T2, TResult}, T1, T2, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public TResult Apply<T1, T2, TResult>(Func<T1, T2, Task<TResult>> func, T1 arg1, T2 arg2, JobOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, arg1, arg2, options: options, cancellationToken: cancellationToken).Get();

    /// <summary>Like <see cref="Apply{T1, T2, T3, TResult}(Func{T1, T2, T3, TResult}, T1, T2, T3, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="Apply{T1, T2, T3, TResult}(Func{T1, T2, T3, TResult}, T1, T2, T3, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public TResult Apply<T1, T2, T3, TResult>(Func<T1, T2, T3, Task<TResult>> func, T1 arg1, T2 arg2, T3 arg3, JobOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, arg1, arg2, arg3, options: options, cancellationToken: cancellationToken).Get();

    /// <summary>Like <see cref="ApplyAsync{TResult}(Func{TResult}, Action{TResult}?, Action{Exception}?, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="ApplyAsync{TResult}(Func{TResult}, Action{TResult}?, Action{Exception}?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public AsyncResult<TResult> ApplyAsync<TResult>(Func<Task<TResult>> func, Action<TResult>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        func = CheckApply(func, options, awaited: true);
        return SubmitApply(new AsyncWork<TResult>(new ThunkWork<Task<TResult>>(func)) { Rules = TaskRules.Of(options) }, callback, errorCallback, options,
            cancellationToken);
    }

    /// <summary>Like <see cref="ApplyAsync{T1, TResult}(Func{T1, TResult}, T1, Action{TResult}?, Action{Exception}?, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="ApplyAsync{T1, TResult}(Func{T1, TResult}, T1, Action{TResult}?, Action{Exception}?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public AsyncResult<TResult> ApplyAsync<T1, TResult>(Func<T1, Task<TResult>> func, T1 arg1, Action<TResult>? callback = null,
        Action<Exception>? errorCallback = null, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        func = CheckApply(func, options, awaited: true);
        return SubmitApply(new AsyncWork<TResult>(new MapWork<T1, Task<TResult>>(func, new[] { arg1 })) { Rules = TaskRules.Of(options) }, callback,
            errorCallback, options, cancellationToken);
    }

    /// <summary>Like <see cref="ApplyAsync{T1, T2, TResult}(Func{T1, T2, TResult}, T1, T2, Action{TResult}?, Action{Exception}?, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="ApplyAsync{T1, T2, TResult}(Func{T1, T2, TResult}, T1, T2, Action{TResult}?, Action{Exception}?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public AsyncResult<TResult> ApplyAsync<T1, T2, TResult>(Func<T1, T2, Task<TResult>> func, T1 arg1, T2 arg2, Action<TResult>? callback = null,
        Action<Exception>? errorCallback = null, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        func = CheckApply(func, options, awaited: true);
        return SubmitApply(new AsyncWork<TResult>(StarWork.Of(func, new[] { (arg1, arg2) })) { Rules = TaskRules.Of(options) },
            callback, errorCallback, options, cancellationToken);
    }

    /// <summary>Like <see cref="ApplyAsync{T1, T2, T3, TResult}(Func{T1, T2, T3, TResult}, T1, T2, T3, Action{TResult}?, Action{Exception}?, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="ApplyAsync{T1, T2, T3, TResult}(Func{T1, T2, T3, TResult}, T1, T2, T3, Action{TResult}?, Action{Exception}?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public AsyncResult<TResult> ApplyAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, Task<TResult>> func, T1 arg1, T2 arg2, T3 arg3,
        Action<TResult>? callback = null, Action<Exception>? errorCallback = null, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        func = CheckApply(func, options, awaited: true);
        return SubmitApply(new AsyncWork<TResult>(StarWork.Of(func, new[] { (arg1, arg2, arg3) })) { Rules = TaskRules.Of(options) },
            callback, errorCallback, options, cancellationToken);
    }
}
