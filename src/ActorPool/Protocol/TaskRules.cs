using System.Diagnostics;

namespace ActorPool.Protocol;

/// <summary>
/// A job's rules for its items (<see cref="JobOptions.Retries"/>, <see cref="JobOptions.RetryDelay"/>,
/// <see cref="JobOptions.RetryIf"/>, <see cref="JobOptions.TaskTimeout"/>), carried by each chunk's
/// work: a failed item is run again on its worker, up to <see cref="Retries"/> more times, after
/// <see cref="Delay"/> × 2^(n-1) before retry n; with a <see cref="Timeout"/>, each attempt runs
/// under it (<see cref="TimedChunk"/>, <see cref="AsyncWork{TResult}"/>); <see cref="Speculative"/>
/// lets the work-pulling router start a copy of a chunk that straggles (<see cref="JobOptions.Speculative"/>).
/// </summary>
internal sealed record TaskRules(int Retries, TimeSpan Delay, Func<Exception, bool>? RetryIf, TimeSpan? Timeout = null, bool Speculative = false)
{
    /// <summary>The longest wait before one retry, whatever the doubling gives.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>The rules of <paramref name="options"/>; null when they neither retry nor time out anything.</summary>
    public static TaskRules? Of(JobOptions? options) =>
        options is { Retries: > 0 } or { TaskTimeout: not null } or { Speculative: true }
            ? new TaskRules(options.Retries, options.RetryDelay, options.RetryIf, options.TaskTimeout, options.Speculative)
            : null;

    /// <summary>The failure of an attempt that ran longer than <see cref="Timeout"/>.</summary>
    public TimeoutException TimedOut() =>
        new($"The task ran longer than its TaskTimeout of {Timeout}: its token was cancelled and its thread left to end alone, its result discarded.");

    /// <summary>The wait before retry <paramref name="retry"/> (1 for the first).</summary>
    public TimeSpan DelayBefore(int retry)
    {
        if (Delay <= TimeSpan.Zero)
            return TimeSpan.Zero;
        var milliseconds = Delay.TotalMilliseconds * Math.Pow(2, retry - 1);
        return milliseconds >= MaxDelay.TotalMilliseconds ? MaxDelay : TimeSpan.FromMilliseconds(milliseconds);
    }

    /// <summary>
    /// Runs item <paramref name="run"/> again after it failed with <paramref name="error"/>, while
    /// the rule allows: returns null once an attempt succeeds, or the error to report (the last
    /// attempt's, or what <see cref="RetryIf"/> threw). <see cref="PoolContext.Attempt"/> follows.
    /// </summary>
    public Exception? RunAgain(Action run, Exception error)
    {
        var scope = TaskScope.Current;
        try
        {
            for (var retry = 1; retry <= Retries; retry++)
            {
                if (Refuses(error, out var reported))
                    return reported;
                if (!Wait(scope, DelayBefore(retry)))
                    return error; // the job was cancelled: no more attempts
                if (scope is not null)
                    (scope.Attempt, scope.Retries) = (retry + 1, scope.Retries + 1);
                try
                {
                    run();
                    return null;
                }
                catch (Exception again)
                {
                    error = again;
                }
            }
            return error;
        }
        finally
        {
            if (scope is not null)
                scope.Attempt = 1;
        }
    }

    /// <summary>
    /// The asynchronous form of <see cref="RunAgain"/>, for an item of an async function: the wait
    /// does not hold a thread, and the attempt is the item's own (<paramref name="item"/>).
    /// </summary>
    public async Task<Exception?> RunAgainAsync(Func<Task> run, Exception error, ItemScope item)
    {
        for (var retry = 1; retry <= Retries; retry++)
        {
            if (Refuses(error, out var reported))
                return reported;
            var started = Stopwatch.GetTimestamp();
            for (var left = DelayBefore(retry); left > TimeSpan.Zero && !item.Token.IsCancellationRequested;
                 left = DelayBefore(retry) - Stopwatch.GetElapsedTime(started))
                await Task.Delay(left, item.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (item.Token.IsCancellationRequested)
                return error; // the job was cancelled: no more attempts
            item.Attempt = retry + 1;
            try
            {
                await run().ConfigureAwait(false);
                return null;
            }
            catch (Exception again)
            {
                error = again;
            }
        }
        return error;
    }

    /// <summary>Whether <see cref="RetryIf"/> refuses to retry <paramref name="error"/>; <paramref name="reported"/> is then what the item fails with (what it threw, if it threw).</summary>
    public bool Refuses(Exception error, out Exception reported)
    {
        reported = error;
        try
        {
            return RetryIf is { } retryIf && !retryIf(error);
        }
        catch (Exception thrown)
        {
            reported = thrown;
            return true;
        }
    }

    /// <summary>Waits <paramref name="delay"/>, or less if the task is cancelled; false if it was.</summary>
    private static bool Wait(TaskScope? scope, TimeSpan delay) => Wait(scope?.Token ?? CancellationToken.None, delay);

    /// <summary>Waits <paramref name="delay"/>, or less if <paramref name="token"/> is cancelled; false if it was.</summary>
    public static bool Wait(CancellationToken token, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            // Not token.WaitHandle: it would give the token's source an event to dispose, and sources are never disposed.
            // Waits time out a few milliseconds early at times: the delay is a minimum, so wait on till it has passed.
            using var woken = new ManualResetEventSlim();
            using (token.UnsafeRegister(static state => ((ManualResetEventSlim)state!).Set(), woken))
            {
                var started = Stopwatch.GetTimestamp();
                for (var left = delay; left > TimeSpan.Zero && !woken.Wait(left); left = delay - Stopwatch.GetElapsedTime(started))
                {
                }
            }
        }
        return !token.IsCancellationRequested;
    }
}
