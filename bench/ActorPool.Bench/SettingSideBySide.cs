using ActorPool;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

/// <summary>
/// Two in-process pools side by side in the same rounds: one with ActorPool's defaults, one with
/// a single setting changed (<see cref="Router"/>, <see cref="IdleSpin"/>, <see cref="Window"/>), on the jobs that
/// setting is for and the jobs it must not slow.
/// </summary>
internal static class SettingSideBySide
{
    private const int RoundTrips = 20_000;
    private const int ImapItems = 200_000;

    /// <summary>The in-process work-pulling router on its senders' threads (<c>actorpool.router-dispatcher</c>, the default) against the thread pool.</summary>
    public static void Router(int workers) => Run(workers, "The in-process work-pulling router on its senders' threads against the thread pool",
        "router on its senders' threads", "router on the thread pool", "actorpool.router-dispatcher.executor = default-executor");

    /// <summary>Workers and waiting callers that spin briefly before they sleep (<c>actorpool.idle-spin</c>, the default) against none that do.</summary>
    public static void IdleSpin(int workers) => Run(workers, "Workers and waiting callers that spin before they sleep (actorpool.idle-spin) against none that do",
        "idle spin (default)", "idle-spin = 0s", "actorpool.idle-spin = 0s");

    /// <summary>IMap's in-flight window of one-item chunks at its default (<c>actorpool.imap.items-in-flight-per-worker</c>) against the 128 it was before.</summary>
    public static void Window(int workers) => Run(workers, "IMap's window of one-item chunks at its default (actorpool.imap.items-in-flight-per-worker) against 128",
        "default window", "128 items per worker", "actorpool.imap.items-in-flight-per-worker = 128");

    private static void Run(int workers, string title, string defaultLabel, string changedLabel, string changedConfig)
    {
        var steal = CpuSteal.Now();
        var trivialInput = Enumerable.Range(0, 1_000_000).ToArray();
        var cpuInput = Enumerable.Range(0, 400).ToArray();
        using var byDefault = new Pool(workers);
        using var changed = new Pool(new PoolOptions
        {
            Processes = workers,
            SystemSetup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString(changedConfig))),
        });
        var apply = Rounds.Run(9, TimeSpan.FromSeconds(1), () => ApplyRoundTrips(byDefault), () => ApplyRoundTrips(changed));
        var imap = Rounds.Run(9, TimeSpan.FromSeconds(1), () => IMapOnes(byDefault), () => IMapOnes(changed));
        var trivial = Rounds.Run(15, TimeSpan.FromSeconds(1), () => byDefault.Map(Jobs.Trivial, trivialInput), () => changed.Map(Jobs.Trivial, trivialInput));
        var cpu = Rounds.Run(3, TimeSpan.FromSeconds(2), () => byDefault.Map(Jobs.Cpu, cpuInput), () => changed.Map(Jobs.Cpu, cpuInput));
        const int ByDefault = 0, Changed = 1;
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine($"| job (in process, work pulling) | {defaultLabel} | {changedLabel} | ratio (its time over ours) | target |");
        Console.WriteLine("|---|---|---|---|---|");
        apply.Row($"ApplyAsync+Get, {RoundTrips:N0} round trips", ByDefault, changedLabel, Changed, "");
        imap.Row($"IMap chunk size 1, {ImapItems:N0} items", ByDefault, changedLabel, Changed, "");
        trivial.Row("trivial Map, 1M ints", ByDefault, changedLabel, Changed, "");
        cpu.Row($"CPU-bound Map, {cpuInput.Length} items", ByDefault, changedLabel, Changed, "");
        Console.WriteLine();
        Console.WriteLine($"Per round trip: {apply.Median(ByDefault) / RoundTrips * 1e6:F2} us against {apply.Median(Changed) / RoundTrips * 1e6:F2} us; "
            + $"per IMap item: {imap.Median(ByDefault) / ImapItems * 1e6:F2} us against {imap.Median(Changed) / ImapItems * 1e6:F2} us");
        CpuSteal.Report(steal);
    }

    private static void ApplyRoundTrips(Pool pool)
    {
        for (var i = 0; i < RoundTrips; i++)
            pool.ApplyAsync(Jobs.Trivial, i).Get();
    }

    private static void IMapOnes(Pool pool)
    {
        foreach (var _ in pool.IMap(Jobs.Trivial, Enumerable.Range(0, ImapItems)))
        {
        }
    }
}
