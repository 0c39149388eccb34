using ActorPool;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

/// <summary>
/// The in-process work-pulling router on its senders' threads (<c>actorpool.router-dispatcher</c>,
/// the default) against the same router on the thread pool (<c>executor = default-executor</c>),
/// two pools side by side in the same rounds.
/// </summary>
internal static class RouterThread
{
    private const int RoundTrips = 20_000;
    private const int ImapItems = 200_000;

    public static void Run(int workers)
    {
        var trivialInput = Enumerable.Range(0, 1_000_000).ToArray();
        var cpuInput = Enumerable.Range(0, 400).ToArray();
        var threadPoolConfig = ConfigurationFactory.ParseString("actorpool.router-dispatcher.executor = default-executor");
        using var onSenders = new Pool(workers);
        using var onThreadPool = new Pool(new PoolOptions
        {
            Processes = workers,
            SystemSetup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(threadPoolConfig)),
        });
        var apply = Rounds.Run(9, TimeSpan.FromSeconds(1), () => ApplyRoundTrips(onSenders), () => ApplyRoundTrips(onThreadPool));
        var imap = Rounds.Run(9, TimeSpan.FromSeconds(1), () => IMapOnes(onSenders), () => IMapOnes(onThreadPool));
        var trivial = Rounds.Run(15, TimeSpan.FromSeconds(1), () => onSenders.Map(Jobs.Trivial, trivialInput), () => onThreadPool.Map(Jobs.Trivial, trivialInput));
        var cpu = Rounds.Run(3, TimeSpan.FromSeconds(2), () => onSenders.Map(Jobs.Cpu, cpuInput), () => onThreadPool.Map(Jobs.Cpu, cpuInput));
        const int OnSenders = 0, OnThreadPool = 1;
        Console.WriteLine();
        Console.WriteLine("## The in-process work-pulling router on its senders' threads against the thread pool");
        Console.WriteLine();
        Console.WriteLine("| job (in process, work pulling) | router on its senders' threads | router on the thread pool | ratio (its time over ours) | target |");
        Console.WriteLine("|---|---|---|---|---|");
        apply.Row($"ApplyAsync+Get, {RoundTrips:N0} round trips", OnSenders, "thread pool", OnThreadPool, "");
        imap.Row($"IMap chunk size 1, {ImapItems:N0} items", OnSenders, "thread pool", OnThreadPool, "");
        trivial.Row("trivial Map, 1M ints", OnSenders, "thread pool", OnThreadPool, "");
        cpu.Row($"CPU-bound Map, {cpuInput.Length} items", OnSenders, "thread pool", OnThreadPool, "");
        Console.WriteLine();
        Console.WriteLine($"Per round trip: {apply.Median(OnSenders) / RoundTrips * 1e6:F2} us against {apply.Median(OnThreadPool) / RoundTrips * 1e6:F2} us; "
            + $"per IMap item: {imap.Median(OnSenders) / ImapItems * 1e6:F2} us against {imap.Median(OnThreadPool) / ImapItems * 1e6:F2} us");
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
