using ActorPool.Coordination;
using ActorPool.Lifecycle;
using ActorPool.Observability;
using ActorPool.Protocol;

namespace ActorPool;

public sealed partial class Pool
{
    /// <summary>Runs <paramref name="func"/> on a worker and waits for its result (Python's <c>apply</c>).</summary>
    /// <param name="func">The function.</param>
    /// <param name="options">How the task runs (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it makes this call throw <see cref="OperationCanceledException"/>, and the task see <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated, or this is called from one of its own tasks or callbacks.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the task finished.</exception>
    public TResult Apply<TResult>(Func<TResult> func, JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, null, null, options, cancellationToken).Get();

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>) on a worker and waits for its result.</summary>
    /// <param name="func">The function.</param>
    /// <param name="arg1">Its argument.</param>
    /// <param name="options">How the task runs (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it makes this call throw <see cref="OperationCanceledException"/>, and the task see <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated, or this is called from one of its own tasks or callbacks.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the task finished.</exception>
    public TResult Apply<T1, TResult>(Func<T1, TResult> func, T1 arg1, JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, arg1, null, null, options, cancellationToken).Get();

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) on a worker and waits for its result.</summary>
    /// <param name="func">The function.</param>
    /// <param name="arg1">Its first argument.</param>
    /// <param name="arg2">Its second argument.</param>
    /// <param name="options">How the task runs (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it makes this call throw <see cref="OperationCanceledException"/>, and the task see <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated, or this is called from one of its own tasks or callbacks.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the task finished.</exception>
    public TResult Apply<T1, T2, TResult>(Func<T1, T2, TResult> func, T1 arg1, T2 arg2, JobOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, arg1, arg2, null, null, options, cancellationToken).Get();

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>) on a worker and waits for its result.</summary>
    /// <param name="func">The function.</param>
    /// <param name="arg1">Its first argument.</param>
    /// <param name="arg2">Its second argument.</param>
    /// <param name="arg3">Its third argument.</param>
    /// <param name="options">How the task runs (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it makes this call throw <see cref="OperationCanceledException"/>, and the task see <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated, or this is called from one of its own tasks or callbacks.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the task finished.</exception>
    public TResult Apply<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, T1 arg1, T2 arg2, T3 arg3, JobOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WaitOutside(nameof(Apply)).ApplyAsync(func, arg1, arg2, arg3, null, null, options, cancellationToken).Get();

    /// <summary>Submits <paramref name="func"/> to run on a worker and returns at once (Python's <c>apply_async</c>).</summary>
    /// <param name="func">The function.</param>
    /// <param name="callback">Called with the result when it succeeds; default none.</param>
    /// <param name="errorCallback">Called with the exception when it fails, <see cref="OperationCanceledException"/> if it is cancelled; default none.</param>
    /// <param name="options">How the task runs (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it fails the result with <see cref="OperationCanceledException"/>; the task, if it runs, sees <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public AsyncResult<TResult> ApplyAsync<TResult>(Func<TResult> func, Action<TResult>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        func = CheckApply(func, options);
        return SubmitApply(new ThunkWork<TResult>(func) { Rules = TaskRules.Of(options) }, callback, errorCallback, options, cancellationToken);
    }

    /// <summary>Submits <paramref name="func"/>(<paramref name="arg1"/>) to run on a worker and returns at once.</summary>
    /// <param name="func">The function.</param>
    /// <param name="arg1">Its argument.</param>
    /// <param name="callback">Called with the result when it succeeds; default none.</param>
    /// <param name="errorCallback">Called with the exception when it fails, <see cref="OperationCanceledException"/> if it is cancelled; default none.</param>
    /// <param name="options">How the task runs (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it fails the result with <see cref="OperationCanceledException"/>; the task, if it runs, sees <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public AsyncResult<TResult> ApplyAsync<T1, TResult>(Func<T1, TResult> func, T1 arg1, Action<TResult>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        func = CheckApply(func, options);
        return SubmitApply(new MapWork<T1, TResult>(func, new[] { arg1 }) { Rules = TaskRules.Of(options) }, callback, errorCallback, options, cancellationToken);
    }

    /// <summary>Submits <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) to run on a worker and returns at once.</summary>
    /// <param name="func">The function.</param>
    /// <param name="arg1">Its first argument.</param>
    /// <param name="arg2">Its second argument.</param>
    /// <param name="callback">Called with the result when it succeeds; default none.</param>
    /// <param name="errorCallback">Called with the exception when it fails, <see cref="OperationCanceledException"/> if it is cancelled; default none.</param>
    /// <param name="options">How the task runs (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it fails the result with <see cref="OperationCanceledException"/>; the task, if it runs, sees <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public AsyncResult<TResult> ApplyAsync<T1, T2, TResult>(Func<T1, T2, TResult> func, T1 arg1, T2 arg2, Action<TResult>? callback = null,
        Action<Exception>? errorCallback = null, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        func = CheckApply(func, options);
        return SubmitApply(StarWork.Of(func, new[] { (arg1, arg2) }, TaskRules.Of(options)), callback, errorCallback,
            options, cancellationToken);
    }

    /// <summary>Submits <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>) to run on a worker and returns at once.</summary>
    /// <param name="func">The function.</param>
    /// <param name="arg1">Its first argument.</param>
    /// <param name="arg2">Its second argument.</param>
    /// <param name="arg3">Its third argument.</param>
    /// <param name="callback">Called with the result when it succeeds; default none.</param>
    /// <param name="errorCallback">Called with the exception when it fails, <see cref="OperationCanceledException"/> if it is cancelled; default none.</param>
    /// <param name="options">How the task runs (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it fails the result with <see cref="OperationCanceledException"/>; the task, if it runs, sees <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public AsyncResult<TResult> ApplyAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, T1 arg1, T2 arg2, T3 arg3, Action<TResult>? callback = null,
        Action<Exception>? errorCallback = null, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        func = CheckApply(func, options);
        return SubmitApply(StarWork.Of(func, new[] { (arg1, arg2, arg3) }, TaskRules.Of(options)), callback,
            errorCallback, options, cancellationToken);
    }

    /// <summary>Checks a task's arguments; returns the function it runs (<see cref="JobArguments.CheckFunction{TFunc}"/>).</summary>
    private TFunc CheckApply<TFunc>(TFunc func, JobOptions? options, bool awaited = false)
        where TFunc : Delegate
    {
        var run = JobArguments.CheckFunction(func, nameof(func), _deployment, awaited);
        JobArguments.CheckOptions(options, _deployment, durable: false, _journal is not null);
        return run;
    }

    private AsyncResult<TResult> SubmitApply<TResult>(ChunkWork<TResult> work, Action<TResult>? callback, Action<Exception>? errorCallback,
        JobOptions? options, CancellationToken cancellationToken)
    {
        var tally = NewTally(JobKind.Apply, options);
        tally.SetTotal(1);
        var result = NewResult(callback, errorCallback, tally);
        if (cancellationToken.IsCancellationRequested)
        {
            result.Fail(CancellationLink.Cancelled(cancellationToken));
            return result;
        }
        ReplyRef? reply = null;
        try
        {
            reply = ApplyJob.Dispatch(result.JobId, work, _group, Provider, tally, result.Complete, result.Fail);
        }
        catch (Exception ex)
        {
            result.Fail(ex);
        }
        // After the task was sent: a cancellation reaches the router after the task itself.
        if (cancellationToken.CanBeCanceled && reply is not null)
            result.CancelWith(cancellationToken, CancelApply(reply));
        return result;
    }

    /// <summary>
    /// Cancels a task: its reply address is released (a node sends nothing for a cancelled job, and a
    /// reply address registered for the wire would otherwise stay registered), then the router stops its work.
    /// </summary>
    private Action<long> CancelApply(ReplyRef reply) => jobId =>
    {
        reply.Release();
        CancelJob(jobId);
    };
}
