// ActorPool benchmarks: side by side in one run, reported as ratios, because this machine is noisy.
//   bench/run                (installs Dask from Debian's python3-distributed, then runs this program)
//   bench/run distributed    only the distributed half (LocalProcesses, a two-node cluster, Dask)
//   bench/run durable        only durable jobs (a journal) against the same Map without one
//   bench/run telemetry      the same Map with nobody listening, with metrics and traces listened to, and with a dashboard open
//   bench/run tls            the cluster's jobs over plain TCP and over TLS, side by side
//   bench/run router         the in-process work-pulling router on its senders' threads and on the thread pool, side by side
//   bench/run spin           in-process pools whose workers and waiting callers spin before they sleep (actorpool.idle-spin) and pools that do not, side by side
//   bench/run window         in-process pools with IMap's default window of one-item chunks (actorpool.imap.items-in-flight-per-worker) and pools with 128, side by side
//   bench/run roundtrip [--no-pool] [--base-nodes OTHER/ActorPool.Node.dll] [variant ...]
//                            a sequential round trip: raw TCP, bare Akka.Remote and the cluster pool, under Akka settings side by side
// Python's multiprocessing.Pool (python_pool.py) and Dask's LocalCluster (dask_bench.py) run the
// same jobs in the same run.
using System.Diagnostics;
using System.Text.Json;
using ActorPool;
using ActorPool.Testing;

internal static class Program
{
    private static void Main(string[] args)
    {
        var workers = Environment.ProcessorCount;
        if (args is ["distributed"])
        {
            Distributed.Run(workers);
            return;
        }
        if (args is ["durable"])
        {
            Durable.Run(workers);
            return;
        }
        if (args is ["telemetry"])
        {
            Telemetry.Run(workers);
            return;
        }
        if (args is ["roundtrip", .. var roundTrip])
        {
            var baseAt = Array.IndexOf(roundTrip, "--base-nodes");
            if (baseAt >= 0 && baseAt + 1 >= roundTrip.Length)
                throw new ArgumentException("--base-nodes needs the path of another build's ActorPool.Node.dll after it.", nameof(args));
            var baseNodes = baseAt >= 0 ? roundTrip[baseAt + 1] : null;
            var variants = roundTrip.Where((arg, i) => arg != "--no-pool" && (baseAt < 0 || (i != baseAt && i != baseAt + 1))).ToArray();
            if (variants.FirstOrDefault(variant => !RoundTrip.Variants.ContainsKey(variant)) is { } unknown)
                throw new ArgumentException($"'{unknown}' is not a variant; the variants are {string.Join(", ", RoundTrip.Variants.Keys)}.", nameof(args));
            RoundTrip.Run(variants, withPool: !roundTrip.Contains("--no-pool"), baseNodes);
            return;
        }
        if (args is ["roundtrip-peer", .. var peerVariants])
        {
            RoundTrip.ServePeer(peerVariants);
            return;
        }
        if (args is ["router"])
        {
            SettingSideBySide.Router(workers);
            return;
        }
        if (args is ["spin"])
        {
            SettingSideBySide.IdleSpin(workers);
            return;
        }
        if (args is ["window"])
        {
            SettingSideBySide.Window(workers);
            return;
        }
        if (args is ["tls"])
        {
            Tls.Run(workers);
            return;
        }

        const int TrivialItems = 1_000_000;
        const int CpuItems = 400;
        const int ImapItems = 200_000;
        const int ApplyRoundTrips = 20_000;
        const int SkewedItems = 200;

        Console.WriteLine($"ActorPool benchmark: {workers} workers, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");
        var steal = CpuSteal.Now();
        var trivialInput = Enumerable.Range(0, TrivialItems).ToArray();
        var cpuInput = Enumerable.Range(0, CpuItems).ToArray();

        // ---- .NET side ----
        Rounds trivial, cpu;
        double imap1, applyRoundTrip;
        using (var pool = new Pool(workers))
        {
            trivial = Rounds.Run(7, TimeSpan.FromSeconds(1),
                () => pool.Map(Jobs.Trivial, trivialInput),
                () => trivialInput.AsParallel().AsOrdered().Select(Jobs.Trivial).ToArray(),
                () => { var r = new int[trivialInput.Length]; for (var i = 0; i < r.Length; i++) r[i] = Jobs.Trivial(trivialInput[i]); });
            cpu = Rounds.Run(7, TimeSpan.FromSeconds(2),
                () => pool.Map(Jobs.Cpu, cpuInput),
                () => cpuInput.AsParallel().AsOrdered().Select(Jobs.Cpu).ToArray(),
                () => { foreach (var x in cpuInput) Jobs.Cpu(x); });
            imap1 = Rounds.Run(3, TimeSpan.FromSeconds(1), () => { foreach (var _ in pool.IMap(Jobs.Trivial, Enumerable.Range(0, ImapItems))) { } }).Median(0);
            applyRoundTrip = Rounds.Run(3, TimeSpan.FromSeconds(1), () => { for (var i = 0; i < ApplyRoundTrips; i++) pool.ApplyAsync(Jobs.Trivial, i).Get(); }).Median(0);
        }
        const int Ours = 0, Plinq = 1, Serial = 2;
        var skewed = new Dictionary<PoolRouting, double>();
        foreach (var routing in Enum.GetValues<PoolRouting>())
        {
            using var pool = new Pool(new PoolOptions { Processes = workers, Routing = routing });
            skewed[routing] = Rounds.Run(3, TimeSpan.Zero, () => pool.Map(Jobs.Skewed, Enumerable.Range(0, SkewedItems), chunkSize: 1)).Median(0); // the median of three: one round is at the mercy of one disturbance
        }
        var skewedWork = Enumerable.Range(0, SkewedItems).Sum(x => Jobs.SkewedSeconds(x));
        var idealMakespan = Math.Max(skewedWork / workers, Enumerable.Range(0, SkewedItems).Max(Jobs.SkewedSeconds));

        // ---- Python side, same run ----
        var python = RunPython("python3", "python_pool.py", new
        {
            workers,
            trivial_items = TrivialItems,
            cpu_items = CpuItems,
            imap_items = ImapItems,
            apply_round_trips = ApplyRoundTrips,
            skewed_items = SkewedItems,
            mode = "core",
        });

        // ---- report ----
        Console.WriteLine();
        Console.WriteLine("| job | ActorPool | comparison | ratio | target |");
        Console.WriteLine("|---|---|---|---|---|");
        trivial.Row("trivial Map, 1M ints (throughput)", Ours, "PLINQ AsOrdered", Plinq, ">= 1.0x PLINQ");
        trivial.Row("trivial Map, 1M ints (throughput)", Ours, "serial loop", Serial, "");
        if (python is not null)
            Row("trivial Map, 1M ints (throughput)", trivial.Median(Ours), "Python Pool.map", python["map_trivial_s"], python["map_trivial_s"] / trivial.Median(Ours), ">= 10x Python");
        cpu.Row($"CPU-bound Map, {CpuItems} items (speedup)", Ours, "serial loop", Serial, ">= 1.9x serial");
        cpu.Row($"CPU-bound Map, {CpuItems} items (speedup)", Ours, "PLINQ AsOrdered", Plinq, "");
        if (python is not null)
        {
            Console.WriteLine($"| Python CPU-bound speedup (its own serial / its map) | | | {python["cpu_serial_s"] / python["cpu_map_s"]:F2}x | (reference) |");
            Row($"IMap chunk size 1, {ImapItems:N0} items (throughput)", imap1, "Python imap(chunksize=1)", python["imap1_s"], python["imap1_s"] / imap1, ">= 40x Python");
            Row($"ApplyAsync+Get, {ApplyRoundTrips:N0} round trips", applyRoundTrip, "Python apply_async+get", python["apply_s"], python["apply_s"] / applyRoundTrip, ">= 40x Python");
        }
        foreach (var (routing, seconds) in skewed)
            Row($"skewed tasks, {routing} (makespan)", seconds, "ideal makespan", idealMakespan, seconds / idealMakespan, routing == PoolRouting.WorkPulling ? "<= 1.1x ideal (default)" : "");
        if (python is not null)
            Row("skewed tasks, Python Pool.map chunksize=1 (makespan)", python["skewed_s"], "ideal makespan", idealMakespan, python["skewed_s"] / idealMakespan, "");
        Console.WriteLine();
        Console.WriteLine($"Per item: IMap chunk 1 {imap1 / ImapItems * 1e6:F2} us, ApplyAsync+Get {applyRoundTrip / ApplyRoundTrips * 1e6:F2} us" +
            (python is null ? "" : $"; Python {python["imap1_s"] / ImapItems * 1e6:F2} us and {python["apply_s"] / ApplyRoundTrips * 1e6:F2} us"));
        CpuSteal.Report(steal);

        Durable.Run(workers);
        Telemetry.Run(workers);
        Distributed.Run(workers);
        Tls.Run(workers);
    }


    internal static void Row(string job, double ours, string against, double theirs, double ratio, string target) =>
        Console.WriteLine($"| {job} | {Format(ours)} | {against}: {Format(theirs)} | {ratio:F2}x | {target} |");

    internal static string Format(double seconds) => seconds >= 1 ? $"{seconds:F2} s" : $"{seconds * 1000:F1} ms";

    internal static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return (sorted[sorted.Length / 2] + sorted[(sorted.Length - 1) / 2]) / 2;
    }

    internal static Dictionary<string, double>? RunPython(string python, string scriptName, object config)
    {
        var script = Path.Combine(AppContext.BaseDirectory, scriptName);
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(JsonSerializer.Serialize(config));
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine($"{python} {scriptName} failed ({process.ExitCode}): {errors}");
                return null;
            }
            return JsonSerializer.Deserialize<Dictionary<string, double>>(output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"{python} is not installed: the {scriptName} comparison is skipped (bench/run installs what it needs).");
            return null;
        }
    }
}

internal static class Jobs
{
    public static int Trivial(int x) => x + 1;

    public static double Cpu(int x)
    {
        var acc = 0.0;
        for (var i = 0; i < 2_000_000; i++)
            acc += Math.Sqrt(i ^ x);
        return acc;
    }

    // Every tenth task is ten times longer, and they all fall on even positions, which is what
    // round-robin over two workers handles worst. Sleeping isolates scheduling from CPU contention.
    public static double SkewedSeconds(int x) => x % 10 == 0 ? 0.020 : 0.002;

    /// <summary>Leaves a marker naming its process on first use there, then does a millisecond of work.</summary>
    public static int MarkAndWork(string markers, int x)
    {
        ProcessMarker.Leave(markers);
        ProcessMarker.Spin(0.001);
        return x;
    }

    public static int Skewed(int x)
    {
        Thread.Sleep(TimeSpan.FromSeconds(SkewedSeconds(x)));
        return x;
    }
}
