using ActorPool.Lifecycle;

namespace ActorPool.Protocol;

/// <summary>
/// Which pool's user code the current thread is running: a worker's task (and its initializer),
/// or a callback of one of the pool's results. An endless wait on that same pool from there may
/// never end: it can need the very worker or callback that is waiting. CPython deadlocks there
/// ("cannot join current thread" is the one case it catches); ActorPool refuses at once.
/// </summary>
internal static class OwnPool
{
    [ThreadStatic] private static JobRegistry? t_current;

    /// <summary>Marks the current thread as running a task or callback of <paramref name="pool"/> until the scope is disposed.</summary>
    /// <remarks>Per call, not per thread: a worker dispatcher configured to share threads must not leave them marked.</remarks>
    public static Scope Enter(JobRegistry? pool)
    {
        var previous = t_current;
        t_current = pool;
        return new Scope(previous);
    }

    /// <summary>Throws if the current thread runs a task or callback of <paramref name="pool"/>.</summary>
    /// <param name="pool">The pool about to be waited on.</param>
    /// <param name="operation">What was called, for the message: <c>Map</c>, <c>Get</c>, <c>Join</c>, ….</param>
    /// <exception cref="InvalidOperationException">The wait could never end.</exception>
    public static void ThrowIfBlockingOn(JobRegistry pool, string operation)
    {
        // An async function's code after an await runs on the thread pool, not on its worker's thread: its item says whose it is.
        if (ReferenceEquals(t_current, pool) || ReferenceEquals(TaskScope.CurrentItem?.Pool, pool))
        {
            throw new InvalidOperationException(
                $"{operation} was called from a task or callback of the same pool and could wait for ever: the wait can need the very "
                + "worker or callback that is waiting. Submit without waiting (ApplyAsync, MapAsync, IMap) and collect the results "
                + "outside the pool, wait with a timeout, or use another pool.");
        }
    }

    /// <summary>
    /// Throws if the current code is an async function's item of <paramref name="pool"/>, about to
    /// await something of the same pool that is not ready: its worker's thread waits for the item,
    /// so with every worker waiting so, nothing is left to run what is awaited.
    /// </summary>
    /// <exception cref="InvalidOperationException">The await could never end.</exception>
    public static void ThrowIfAwaitingOn(JobRegistry pool, string operation)
    {
        if (ReferenceEquals(TaskScope.CurrentItem?.Pool, pool))
        {
            throw new InvalidOperationException(
                $"{operation} was used in an async function run by the same pool and could wait for ever: its worker waits for the "
                + "function, so with every worker waiting that way nothing is left to run what is awaited. Submit it without "
                + "awaiting it there, or use another pool.");
        }
    }

    /// <summary>Restores the thread's previous mark.</summary>
    public readonly struct Scope(JobRegistry? previous) : IDisposable
    {
        public void Dispose() => t_current = previous;
    }
}
