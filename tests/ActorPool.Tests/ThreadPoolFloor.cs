using System.Runtime.CompilerServices;

namespace ActorPool.Tests;

/// <summary>
/// The timeout tests leave tasks blocked for good on thread-pool threads, as a user's hung code
/// would (an async function that blocks before its first await runs on the pool, by design). Over
/// a whole run they add up, and the pool then adds a thread about every half second: a later test
/// whose tasks must each start within a 300 ms timeout could see them wait for a thread instead,
/// and time out (seen once in a full run). A floor of threads made at once keeps that from being
/// a matter of luck; it is above the count the suite leaves blocked.
/// </summary>
internal static class ThreadPoolFloor
{
    [ModuleInitializer]
    internal static void Raise()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
    }
}
