namespace ActorPool.Protocol;

/// <summary>
/// Work whose function returns <c>Task&lt;TResult&gt;</c> (an async lambda): the worker awaits each
/// item, and its value is the result. The items of the chunk run at once, up to the worker's
/// <see cref="TaskScope.AsyncItems"/>, so that I/O-bound functions overlap; the worker's thread
/// waits for the whole chunk, as it does for synchronous work.
/// </summary>
/// <remarks>
/// It wraps the synchronous work of the same function and items (<paramref name="calls"/>, whose
/// items each return a task), so that every argument shape, and its wire form, is written once.
/// Each item runs in an <see cref="ItemScope"/> of its own, which flows into the function's code
/// after its awaits, so <see cref="PoolContext"/> answers there too.
/// </remarks>
internal sealed class AsyncWork<TResult>(ChunkWork<Task<TResult>> calls) : ChunkWork<TResult>
{
    public override int Count => calls.Count;
    public override Delegate Function => calls.Function;
    public override Array? Items => calls.Items;
    protected override TResult Invoke(int index) => throw new NotSupportedException("Async work runs its items in RunItems.");
    protected override void Release() => calls.ReleaseItems();

    protected override List<ItemFailure>? RunItems(TResult[] values, int start)
    {
        var scope = TaskScope.Current;
        // The token is made here, on the worker's thread, before the items may ask for it elsewhere.
        var token = scope?.Token ?? CancellationToken.None;
        var errors = new Exception?[Count];
        var items = new ItemScope[Count];
        var running = new List<Task>();
        var started = 0;
        for (; started < Count; started++)
        {
            if (running.Count >= Math.Max(1, scope?.AsyncItems ?? 1))
                running.RemoveAt(Task.WaitAny([.. running]));
            if (scope?.Cancellation is { } cancellation && cancellation.IsCancelled(scope.JobId, scope.ChunkIndex))
                break;
            running.Add(RunItem(started, values, start, errors, items[started] = new ItemScope(token, scope?.Pool)));
        }
        Task.WaitAll([.. running]); // RunItem never faults
        List<ItemFailure>? failures = null;
        for (var i = 0; i < started; i++)
        {
            if (errors[i] is { } error)
                (failures ??= new List<ItemFailure>()).Add(new ItemFailure(i, error));
            if (scope is not null)
                scope.Retries += items[i].Attempt - 1; // each item's retries ended before WaitAll returned
        }
        return started < Count ? ItemFailure.Unrun(failures, started, Count) : failures;
    }

    /// <summary>Calls the function on item <paramref name="index"/>; a null task is the function's failure, said as such.</summary>
    private Task<TResult> Call(int index) =>
        calls.InvokeItem(index)
        ?? throw new InvalidOperationException($"The async function {Function.Method.DeclaringType?.Name}.{Function.Method.Name} returned null instead of a task.");

    /// <summary>Runs item <paramref name="index"/>, and its retries; never faults: a failure lands in <paramref name="errors"/>.</summary>
    private async Task RunItem(int index, TResult[] values, int start, Exception?[] errors, ItemScope item)
    {
        TaskScope.EnterItem(item); // for this item's flow only: an async method restores its caller's on return
        try
        {
            values[start + index] = await Attempt(index, item).ConfigureAwait(false);
        }
        catch (Exception ex) when (Rules is { } rules)
        {
            errors[index] = await rules.RunAgainAsync(
                async () => values[start + index] = await Attempt(index, item).ConfigureAwait(false), ex, item).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            errors[index] = ex;
        }
    }

    /// <summary>One attempt of item <paramref name="index"/>, under the job's timeout if it has one.</summary>
    private Task<TResult> Attempt(int index, ItemScope item) =>
        Rules is { Timeout: { } timeout } rules ? Timed(index, item, rules, timeout) : Call(index);

    /// <summary>
    /// One attempt under a timeout: it starts on the thread pool (so that code before its first
    /// await cannot hold the worker's thread), with a token of its own; at the deadline the token is
    /// cancelled and the attempt fails with <see cref="TimeoutException"/>, its task left to end alone.
    /// </summary>
    private async Task<TResult> Timed(int index, ItemScope item, TaskRules rules, TimeSpan timeout)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(item.Token);
        var attempt = new ItemScope(source.Token, item.Pool) { Attempt = item.Attempt };
        var call = Task.Run(() =>
        {
            TaskScope.EnterItem(attempt);
            return Call(index);
        });
        await ((Task)call.WaitAsync(timeout)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!call.IsCompleted)
        {
            TimedChunk.LeftAlone();
            _ = call.ContinueWith(static _ => TimedChunk.LeftEnded(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _ = source.CancelAsync(); // not disposed: the task left running may still use its token
            throw rules.TimedOut();
        }
        source.Dispose();
        return await call.ConfigureAwait(false);
    }
}
