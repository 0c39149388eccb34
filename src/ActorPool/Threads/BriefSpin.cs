using System.Diagnostics;

namespace ActorPool.Threads;

/// <summary>
/// A thread about to give up its core (a worker out of work, a caller waiting on a result) spins a
/// few microseconds first (<c>actorpool.idle-spin</c>): what it waits for often comes that soon,
/// and then it goes on at once, where handing the core over and waking the thread again costs
/// more than a tiny task.
/// </summary>
/// <remarks>
/// The spin only polls; it never yields, so a spin that waits in vain has cost that much CPU, once
/// per wait. The setting keeps it short (<see cref="MaxSpin"/>), and off on one processor.
/// </remarks>
internal static class BriefSpin
{
    /// <summary>The longest spin the setting may ask for.</summary>
    public static readonly TimeSpan MaxSpin = TimeSpan.FromMilliseconds(1);

    /// <summary>Stopwatch ticks of <paramref name="spin"/>.</summary>
    public static long Ticks(TimeSpan spin) => (long)(spin.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// Spins until <paramref name="done"/> holds of <paramref name="state"/> or
    /// <paramref name="ticks"/> Stopwatch ticks have passed; returns whether it holds (asked once,
    /// at least, even with no ticks).
    /// </summary>
    public static bool Until<TState>(TState state, Func<TState, bool> done, long ticks)
    {
        if (done(state))
            return true;
        if (ticks <= 0)
            return false;
        var now = Stopwatch.GetTimestamp();
        var until = ticks > long.MaxValue - now ? long.MaxValue : now + ticks;
        do
        {
            Thread.SpinWait(4); // a few pauses between polls: answers within a fraction of a microsecond, without hammering the cache line the other thread writes
            if (done(state))
                return true;
        }
        while (Stopwatch.GetTimestamp() < until);
        return false;
    }
}
