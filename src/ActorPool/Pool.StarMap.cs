using System.Runtime.CompilerServices;
using ActorPool.Observability;
using ActorPool.Protocol;

namespace ActorPool;

// StarMap and StarMapAsync (Python's starmap and starmap_async) over tuples of 2, 3 or 4
// arguments, each for a function and for an async function (Func<…, Task<TResult>>, whose tasks
// the workers await; see Pool.Async.cs for why it has the higher overload resolution priority).
// Every form is one line onto SubmitStarMap; what differs by arity is only the work that spreads a
// tuple into the function's arguments (StarWork.Of).
public sealed partial class Pool
{
    /// <summary>
    /// Like <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, JobOptions?, CancellationToken)"/>, but each item is a pair of arguments (Python's <c>starmap</c>):
    /// returns <c>func(a, b)</c> for every <c>(a, b)</c>, in input order.
    /// </summary>
    /// <param name="func">The function.</param>
    /// <param name="iterable">The arguments, one tuple per item.</param>
    /// <param name="chunkSize">
    /// Items per task. Null (the default): ceil(n / (32 × <see cref="Processes"/>)) under
    /// <see cref="PoolRouting.WorkPulling"/>, the last chunks shrinking to an eighth of that so that
    /// workers end together; CPython's ceil(n / (4 × <see cref="Processes"/>)) under the other routings
    /// or with <see cref="PoolOptions.MaxTasksPerChild"/> set; for an async function, at least as many
    /// items as a worker awaits at once (16), while each worker has that many, and no shrinking.
    /// </param>
    /// <param name="options">How the job runs its tasks (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it fails the job with <see cref="OperationCanceledException"/>: its queued tasks are dropped and its running ones see <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> or <paramref name="iterable"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is less than 1, or a property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated, or this is called from one of its own tasks or callbacks.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the job finished.</exception>
    public IReadOnlyList<TResult> StarMap<T1, T2, TResult>(Func<T1, T2, TResult> func, IEnumerable<(T1, T2)> iterable, int? chunkSize = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(StarMap)).StarMapAsync(func, iterable, chunkSize, null, null, options, cancellationToken).Get();

    /// <summary>The asynchronous form of <see cref="StarMap{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, JobOptions?, CancellationToken)"/> (Python's <c>starmap_async</c>).</summary>
    /// <param name="func">The function.</param>
    /// <param name="iterable">The arguments, one tuple per item; read in full on the calling thread.</param>
    /// <param name="chunkSize">
    /// Items per task. Null (the default): ceil(n / (32 × <see cref="Processes"/>)) under
    /// <see cref="PoolRouting.WorkPulling"/>, the last chunks shrinking to an eighth of that so that
    /// workers end together; CPython's ceil(n / (4 × <see cref="Processes"/>)) under the other routings
    /// or with <see cref="PoolOptions.MaxTasksPerChild"/> set; for an async function, at least as many
    /// items as a worker awaits at once (16), while each worker has that many, and no shrinking.
    /// </param>
    /// <param name="callback">Called once with the whole list when every task has succeeded; default none.</param>
    /// <param name="errorCallback">Called once with the first exception if any task fails, or with <see cref="OperationCanceledException"/> if the job is cancelled; default none.</param>
    /// <param name="options">How the job runs its tasks (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it fails the job with <see cref="OperationCanceledException"/>: its queued tasks are dropped and its running ones see <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> or <paramref name="iterable"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is less than 1, or a property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public AsyncResult<IReadOnlyList<TResult>> StarMapAsync<T1, T2, TResult>(Func<T1, T2, TResult> func, IEnumerable<(T1, T2)> iterable, int? chunkSize = null,
        Action<IReadOnlyList<TResult>>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitStarMap(func, iterable, chunkSize, static (func, items, rules) => StarWork.Of(func, items, rules), callback, errorCallback, options, cancellationToken);

    /// <summary>Like <see cref="StarMap{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="StarMap{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public IReadOnlyList<TResult> StarMap<T1, T2, TResult>(Func<T1, T2, Task<TResult>> func, IEnumerable<(T1, T2)> iterable, int? chunkSize = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(StarMap)).StarMapAsync(func, iterable, chunkSize, options: options, cancellationToken: cancellationToken).Get();

    /// <summary>Like <see cref="StarMapAsync{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, Action{IReadOnlyList{TResult}}?, Action{Exception}?, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="StarMapAsync{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, Action{IReadOnlyList{TResult}}?, Action{Exception}?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public AsyncResult<IReadOnlyList<TResult>> StarMapAsync<T1, T2, TResult>(Func<T1, T2, Task<TResult>> func, IEnumerable<(T1, T2)> iterable,
        int? chunkSize = null, Action<IReadOnlyList<TResult>>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitStarMap(func, iterable, chunkSize, static (func, items, rules) => new AsyncWork<TResult>(StarWork.Of(func, items)) { Rules = rules }, callback, errorCallback,
            options, cancellationToken, awaited: true);

    /// <summary>
    /// Like <see cref="StarMap{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, JobOptions?, CancellationToken)"/>, but each item is a triple of arguments:
    /// returns <c>func(a, b, c)</c> for every <c>(a, b, c)</c>, in input order.
    /// </summary>
    /// <inheritdoc cref="StarMap{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, JobOptions?, CancellationToken)"/>
    public IReadOnlyList<TResult> StarMap<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, IEnumerable<(T1, T2, T3)> iterable, int? chunkSize = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(StarMap)).StarMapAsync(func, iterable, chunkSize, null, null, options, cancellationToken).Get();

    /// <summary>The asynchronous form of <see cref="StarMap{T1, T2, T3, TResult}(Func{T1, T2, T3, TResult}, IEnumerable{ValueTuple{T1, T2, T3}}, int?, JobOptions?, CancellationToken)"/>: returns at once.</summary>
    /// <inheritdoc cref="StarMapAsync{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, Action{IReadOnlyList{TResult}}?, Action{Exception}?, JobOptions?, CancellationToken)"/>
    public AsyncResult<IReadOnlyList<TResult>> StarMapAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, IEnumerable<(T1, T2, T3)> iterable, int? chunkSize = null,
        Action<IReadOnlyList<TResult>>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitStarMap(func, iterable, chunkSize, static (func, items, rules) => StarWork.Of(func, items, rules), callback, errorCallback, options, cancellationToken);

    /// <summary>Like <see cref="StarMap{T1, T2, T3, TResult}(Func{T1, T2, T3, TResult}, IEnumerable{ValueTuple{T1, T2, T3}}, int?, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="StarMap{T1, T2, T3, TResult}(Func{T1, T2, T3, TResult}, IEnumerable{ValueTuple{T1, T2, T3}}, int?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public IReadOnlyList<TResult> StarMap<T1, T2, T3, TResult>(Func<T1, T2, T3, Task<TResult>> func, IEnumerable<(T1, T2, T3)> iterable, int? chunkSize = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(StarMap)).StarMapAsync(func, iterable, chunkSize, options: options, cancellationToken: cancellationToken).Get();

    /// <summary>Like <see cref="StarMapAsync{T1, T2, T3, TResult}(Func{T1, T2, T3, TResult}, IEnumerable{ValueTuple{T1, T2, T3}}, int?, Action{IReadOnlyList{TResult}}?, Action{Exception}?, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="StarMapAsync{T1, T2, T3, TResult}(Func{T1, T2, T3, TResult}, IEnumerable{ValueTuple{T1, T2, T3}}, int?, Action{IReadOnlyList{TResult}}?, Action{Exception}?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public AsyncResult<IReadOnlyList<TResult>> StarMapAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, Task<TResult>> func, IEnumerable<(T1, T2, T3)> iterable,
        int? chunkSize = null, Action<IReadOnlyList<TResult>>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitStarMap(func, iterable, chunkSize, static (func, items, rules) => new AsyncWork<TResult>(StarWork.Of(func, items)) { Rules = rules }, callback, errorCallback,
            options, cancellationToken, awaited: true);

    /// <summary>
    /// Like <see cref="StarMap{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, JobOptions?, CancellationToken)"/>, but each item is a quadruple of arguments:
    /// returns <c>func(a, b, c, d)</c> for every <c>(a, b, c, d)</c>, in input order.
    /// </summary>
    /// <inheritdoc cref="StarMap{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, JobOptions?, CancellationToken)"/>
    public IReadOnlyList<TResult> StarMap<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> func, IEnumerable<(T1, T2, T3, T4)> iterable, int? chunkSize = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(StarMap)).StarMapAsync(func, iterable, chunkSize, null, null, options, cancellationToken).Get();

    /// <summary>The asynchronous form of <see cref="StarMap{T1, T2, T3, T4, TResult}(Func{T1, T2, T3, T4, TResult}, IEnumerable{ValueTuple{T1, T2, T3, T4}}, int?, JobOptions?, CancellationToken)"/>: returns at once.</summary>
    /// <inheritdoc cref="StarMapAsync{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?, Action{IReadOnlyList{TResult}}?, Action{Exception}?, JobOptions?, CancellationToken)"/>
    public AsyncResult<IReadOnlyList<TResult>> StarMapAsync<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> func, IEnumerable<(T1, T2, T3, T4)> iterable, int? chunkSize = null,
        Action<IReadOnlyList<TResult>>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitStarMap(func, iterable, chunkSize, static (func, items, rules) => StarWork.Of(func, items, rules), callback, errorCallback, options, cancellationToken);

    /// <summary>Like <see cref="StarMap{T1, T2, T3, T4, TResult}(Func{T1, T2, T3, T4, TResult}, IEnumerable{ValueTuple{T1, T2, T3, T4}}, int?, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="StarMap{T1, T2, T3, T4, TResult}(Func{T1, T2, T3, T4, TResult}, IEnumerable{ValueTuple{T1, T2, T3, T4}}, int?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public IReadOnlyList<TResult> StarMap<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, Task<TResult>> func, IEnumerable<(T1, T2, T3, T4)> iterable, int? chunkSize = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(StarMap)).StarMapAsync(func, iterable, chunkSize, options: options, cancellationToken: cancellationToken).Get();

    /// <summary>Like <see cref="StarMapAsync{T1, T2, T3, T4, TResult}(Func{T1, T2, T3, T4, TResult}, IEnumerable{ValueTuple{T1, T2, T3, T4}}, int?, Action{IReadOnlyList{TResult}}?, Action{Exception}?, JobOptions?, CancellationToken)"/>, for an async function.</summary>
    /// <inheritdoc cref="StarMapAsync{T1, T2, T3, T4, TResult}(Func{T1, T2, T3, T4, TResult}, IEnumerable{ValueTuple{T1, T2, T3, T4}}, int?, Action{IReadOnlyList{TResult}}?, Action{Exception}?, JobOptions?, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public AsyncResult<IReadOnlyList<TResult>> StarMapAsync<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, Task<TResult>> func, IEnumerable<(T1, T2, T3, T4)> iterable,
        int? chunkSize = null, Action<IReadOnlyList<TResult>>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitStarMap(func, iterable, chunkSize, static (func, items, rules) => new AsyncWork<TResult>(StarWork.Of(func, items)) { Rules = rules }, callback, errorCallback,
            options, cancellationToken, awaited: true);

    /// <summary>
    /// The one path of every StarMap form: checks the arguments (<paramref name="awaited"/>: the
    /// function returns tasks that its work awaits), then submits a job whose chunks <paramref name="makeWork"/> makes.
    /// </summary>
    private AsyncResult<IReadOnlyList<TResult>> SubmitStarMap<TFunc, TItem, TResult>(TFunc func, IEnumerable<TItem> iterable, int? chunkSize,
        Func<TFunc, ArraySegment<TItem>, TaskRules?, ChunkWork<TResult>> makeWork, Action<IReadOnlyList<TResult>>? callback, Action<Exception>? errorCallback,
        JobOptions? options, CancellationToken cancellationToken, bool awaited = false)
        where TFunc : Delegate
    {
        func = CheckArguments(func, iterable, chunkSize, options, awaited: awaited);
        var rules = TaskRules.Of(options);
        return SubmitMap(JobKind.StarMap, func, iterable, chunkSize, items => makeWork(func, items, rules), callback, errorCallback, options, cancellationToken,
            awaited: awaited);
    }
}
