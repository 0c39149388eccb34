/// <summary>
/// CPU time the hypervisor gave to other machines while this one wanted it: <c>steal</c> in the
/// first line of <c>/proc/stat</c>. Each section prints its share of the section's CPU time, so
/// that a disturbed run (rounds at a fraction of the usual ratio) can be told from a slow pool.
/// </summary>
internal readonly record struct CpuSteal(long Stolen, long Total)
{
    /// <summary>The machine's counters now; zero where there is no <c>/proc/stat</c>.</summary>
    public static CpuSteal Now()
    {
        try
        {
            // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is in user's already)
            var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1).Take(8).Select(long.Parse).ToArray();
            return new CpuSteal(ticks[7], ticks.Sum());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return default;
        }
    }

    /// <summary>Prints the share of all cores' time stolen since <paramref name="start"/>, if it can be read.</summary>
    public static void Report(CpuSteal start)
    {
        var end = Now();
        if (end.Total > start.Total && start.Total > 0)
            Console.WriteLine($"CPU taken by the hypervisor during this section (steal in /proc/stat): {100.0 * (end.Stolen - start.Stolen) / (end.Total - start.Total):F1}% of all cores' time.");
    }
}
