using ActorPool.Coordination;
using ActorPool.Protocol;

namespace ActorPool;

public sealed partial class Pool
{
    /// <summary>Runs <paramref name="func"/> on a worker and waits for its result (Python's <c>apply</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated, or this is called from one of its own tasks or callbacks.</exception>
    public TResult Apply<TResult>(Func<TResult> func) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func).Get();

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>) on a worker and waits for its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated, or this is called from one of its own tasks or callbacks.</exception>
    public TResult Apply<T1, TResult>(Func<T1, TResult> func, T1 arg1) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, arg1).Get();

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) on a worker and waits for its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated, or this is called from one of its own tasks or callbacks.</exception>
    public TResult Apply<T1, T2, TResult>(Func<T1, T2, TResult> func, T1 arg1, T2 arg2) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, arg1, arg2).Get();

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>) on a worker and waits for its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated, or this is called from one of its own tasks or callbacks.</exception>
    public TResult Apply<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, T1 arg1, T2 arg2, T3 arg3) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, arg1, arg2, arg3).Get();

    /// <summary>Submits <paramref name="func"/> to run on a worker and returns at once (Python's <c>apply_async</c>).</summary>
    /// <param name="func">The function.</param>
    /// <param name="callback">Called with the result when it succeeds; default none.</param>
    /// <param name="errorCallback">Called with the exception when it fails; default none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public AsyncResult<TResult> ApplyAsync<TResult>(Func<TResult> func, Action<TResult>? callback = null, Action<Exception>? errorCallback = null)
    {
        JobArguments.CheckFunction(func, nameof(func), _deployment);
        return SubmitApply(new ThunkWork<TResult>(func), callback, errorCallback);
    }

    /// <summary>Submits <paramref name="func"/>(<paramref name="arg1"/>) to run on a worker and returns at once.</summary>
    /// <param name="func">The function.</param>
    /// <param name="arg1">Its argument.</param>
    /// <param name="callback">Called with the result when it succeeds; default none.</param>
    /// <param name="errorCallback">Called with the exception when it fails; default none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public AsyncResult<TResult> ApplyAsync<T1, TResult>(Func<T1, TResult> func, T1 arg1, Action<TResult>? callback = null, Action<Exception>? errorCallback = null)
    {
        JobArguments.CheckFunction(func, nameof(func), _deployment);
        return SubmitApply(new MapWork<T1, TResult>(func, new[] { arg1 }), callback, errorCallback);
    }

    /// <summary>Submits <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) to run on a worker and returns at once.</summary>
    /// <param name="func">The function.</param>
    /// <param name="arg1">Its first argument.</param>
    /// <param name="arg2">Its second argument.</param>
    /// <param name="callback">Called with the result when it succeeds; default none.</param>
    /// <param name="errorCallback">Called with the exception when it fails; default none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public AsyncResult<TResult> ApplyAsync<T1, T2, TResult>(Func<T1, T2, TResult> func, T1 arg1, T2 arg2, Action<TResult>? callback = null, Action<Exception>? errorCallback = null)
    {
        JobArguments.CheckFunction(func, nameof(func), _deployment);
        return SubmitApply(new StarMapWork<T1, T2, TResult>(func, new[] { (arg1, arg2) }), callback, errorCallback);
    }

    /// <summary>Submits <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>) to run on a worker and returns at once.</summary>
    /// <param name="func">The function.</param>
    /// <param name="arg1">Its first argument.</param>
    /// <param name="arg2">Its second argument.</param>
    /// <param name="arg3">Its third argument.</param>
    /// <param name="callback">Called with the result when it succeeds; default none.</param>
    /// <param name="errorCallback">Called with the exception when it fails; default none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public AsyncResult<TResult> ApplyAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, T1 arg1, T2 arg2, T3 arg3, Action<TResult>? callback = null, Action<Exception>? errorCallback = null)
    {
        JobArguments.CheckFunction(func, nameof(func), _deployment);
        return SubmitApply(new StarMap3Work<T1, T2, T3, TResult>(func, [(arg1, arg2, arg3)]), callback, errorCallback);
    }

    private AsyncResult<TResult> SubmitApply<TResult>(ChunkWork<TResult> work, Action<TResult>? callback, Action<Exception>? errorCallback)
    {
        var result = NewResult(callback, errorCallback);
        try
        {
            ApplyJob.Dispatch(result.JobId, work, _group, Provider, result.Complete, result.Fail);
        }
        catch (Exception ex)
        {
            result.Fail(ex);
        }
        return result;
    }
}
