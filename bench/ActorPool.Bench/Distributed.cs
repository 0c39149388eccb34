using System.Diagnostics;
using System.Text.Json;
using ActorPool;
using ActorPool.Testing;
using Akka.Actor;

/// <summary>
/// The distributed half of the benchmark: LocalProcesses and a two-node cluster of node host
/// processes on 127.0.0.1, against serial and in-process runs, Python's Pool and Dask's
/// LocalCluster, all in this one run.
/// </summary>
internal static class Distributed
{
    public const int CpuItems = 400;
    public const int TinyChunked = 100_000;
    public const int TinyOneByOne = 20_000;
    public const int DaskTasks = 2_000;
    public const int ApplyTasks = 10_000;
    public const int RoundTrips = 2_000;

    /// <summary>Rounds of each CPU-bound comparison; each round runs its contenders back to back.</summary>
    public const int CpuRounds = 11;

    /// <summary>A deployment's first Maps of the CPU-bound job, timed apart as its cold start.</summary>
    public const int ColdMaps = 12;

    public static void Run(int workers)
    {
        Console.WriteLine();
        Console.WriteLine("## Distributed");
        var steal = CpuSteal.Now();
        var cpuInput = Enumerable.Range(0, CpuItems).ToArray();
        double clusterChunked, clusterOneByOne, clusterSubmit, clusterRoundTrip, remotingRoundTrip, killToDone;
        (Rounds Rounds, double Cold) localCpu, clusterCpu;
        using (var inProcess = new Pool(workers))
        {
            Warm(inProcess);
            // Each deployment's CPU-bound rounds run with only its own processes alive, as a user
            // runs one: the other deployment's processes took CPU from its rounds, their JIT most
            // of all while they were new (see CompareCpu).
            using (var localProcesses = new Pool(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = workers }))
                localCpu = CompareCpu(localProcesses, inProcess, cpuInput);

            using var seed = NodeProcess.Start(typeof(Jobs).Assembly);
            using var second = NodeProcess.Start(typeof(Jobs).Assembly, seed.Endpoint);
            using var cluster = ClusterPool(seed.Endpoint, workers);
            clusterCpu = CompareCpu(cluster, inProcess, cpuInput);

            clusterChunked = Rounds.Run(3, TimeSpan.FromSeconds(1), () => cluster.Map(Jobs.Trivial, Enumerable.Range(0, TinyChunked))).Median(0);
            clusterOneByOne = Rounds.Run(3, TimeSpan.FromSeconds(1), () => cluster.Map(Jobs.Trivial, Enumerable.Range(0, TinyOneByOne), chunkSize: 1)).Median(0);
            // Like with like against Dask's client.submit: independent tasks, each its own job.
            clusterSubmit = Rounds.Run(3, TimeSpan.FromSeconds(1), () => SubmitThenGetEach(cluster, ApplyTasks)).Median(0);
            // The floor under a round trip: Akka.Remote alone, from a plain remoting system in this
            // process, an Identify to the seed node's host actor (/user/actorpool-node) and its
            // answer, in the same rounds.
            using var probe = ActorSystem.Create("probe", Akka.Configuration.ConfigurationFactory.ParseString("""
                akka.actor.provider = remote
                akka.remote.dot-netty.tcp.hostname = 127.0.0.1
                akka.remote.dot-netty.tcp.port = 0
                akka.loglevel = WARNING
                akka.scheduler.tick-duration = 50ms
                """));
            var nodeActor = probe.ActorSelection($"akka.tcp://actorpool@{seed.Endpoint}/user/actorpool-node")
                .ResolveOne(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            var roundTrips = Rounds.Run(7, TimeSpan.FromSeconds(1),
                () => { for (var i = 0; i < RoundTrips; i++) cluster.ApplyAsync(Jobs.Trivial, i).Get(); },
                () => { for (var i = 0; i < RoundTrips; i++) nodeActor.Ask<ActorIdentity>(new Identify(i), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult(); });
            clusterRoundTrip = roundTrips.Median(0);
            remotingRoundTrip = roundTrips.Median(1);
            killToDone = KillToCompletion(cluster, second);
        }

        var python = Program.RunPython("python3", "python_pool.py", new { workers, tiny_chunked = TinyChunked, tiny_one_by_one = TinyOneByOne, mode = "distributed" });
        var dask = Program.RunPython("/usr/bin/python3", "dask_bench.py", new { workers, tasks = DaskTasks });

        Console.WriteLine();
        Console.WriteLine("| job | ActorPool | comparison | ratio | target |");
        Console.WriteLine("|---|---|---|---|---|");
        const int Deployed = 0, InProcess = 1, Serial = 2;
        localCpu.Rounds.Row($"CPU-bound Map, {CpuItems} items, LocalProcesses ({workers} processes)", Deployed, "serial loop", Serial, ">= 1.8x serial");
        localCpu.Rounds.Row($"CPU-bound Map, {CpuItems} items, LocalProcesses", Deployed, "in-process pool", InProcess, "");
        localCpu.Rounds.Row($"CPU-bound Map, {CpuItems} items, in-process ({workers} workers), in the LocalProcesses rounds", InProcess, "serial loop", Serial, "(reference)");
        ColdRow("LocalProcesses", localCpu, Serial);
        clusterCpu.Rounds.Row($"CPU-bound Map, {CpuItems} items, 2-node cluster", Deployed, "serial loop", Serial, ">= 1.8x serial");
        clusterCpu.Rounds.Row($"CPU-bound Map, {CpuItems} items, 2-node cluster", Deployed, "in-process pool", InProcess, "");
        clusterCpu.Rounds.Row($"CPU-bound Map, {CpuItems} items, in-process ({workers} workers), in the cluster rounds", InProcess, "serial loop", Serial, "(reference)");
        ColdRow("2-node cluster", clusterCpu, Serial);
        Console.WriteLine($"| tiny tasks through the cluster, chunked | {Rate(TinyChunked, clusterChunked)} | | | |");
        Console.WriteLine($"| tiny tasks through the cluster, one at a time (chunk size 1) | {Rate(TinyOneByOne, clusterOneByOne)} | | | |");
        if (python is not null)
        {
            RateRow("tiny tasks, chunked", TinyChunked / clusterChunked, "Python Pool.map", TinyChunked / python["tiny_chunked_s"], "");
            RateRow("tiny tasks, one at a time", TinyOneByOne / clusterOneByOne, "Python imap(chunksize=1)", TinyOneByOne / python["tiny_one_by_one_s"], "");
        }
        if (dask is not null)
        {
            RateRow("tiny tasks, one at a time (Map, chunk size 1: one job)", TinyOneByOne / clusterOneByOne, "Dask LocalCluster client.map", DaskTasks / dask["tasks_s"], "");
            RateRow($"ApplyAsync through the cluster: submit {ApplyTasks:N0}, then every Get", ApplyTasks / clusterSubmit, "Dask client.submit each, then gather", DaskTasks / dask["submit_s"], ">= 100x Dask");
        }
        Console.WriteLine($"| sequential ApplyAsync + Get round trip through the cluster | {clusterRoundTrip / RoundTrips * 1e6:F0} µs "
            + $"| Akka.Remote alone, Ask + answer to a node: {remotingRoundTrip / RoundTrips * 1e6:F0} µs | {clusterRoundTrip / remotingRoundTrip:F2}x | < 200 µs |");
        Console.WriteLine($"| SIGKILL of a node mid-Map to the Map's completion | {killToDone:F2} s | failure detection (~5 s default) + lost chunks (10 ms each) | | <= detection + lost chunks' run time |");
        CpuSteal.Report(steal);
    }

    /// <summary>
    /// One deployment's CPU-bound comparison: <see cref="CpuRounds"/> rounds of
    /// <paramref name="deployed"/>, the in-process pool and a serial loop, back to back, and the
    /// seconds of the deployment's first <see cref="ColdMaps"/> CPU-bound Maps, which go before them.
    /// </summary>
    /// <remarks>
    /// A fresh worker process spends its first 15 s of work or so tiering up the code its messages
    /// run through (the runtime's, Akka's, remoting's, DotNetty's, the wire's and the pool's own),
    /// about 2.7 s of CPU a process with dynamic PGO, on the cores its workers need. Those first Maps
    /// are timed apart, as a cold start (after <see cref="Warm"/> only, and not counting the
    /// processes' start); the rounds measure the steady state after them.
    /// </remarks>
    private static (Rounds Rounds, double Cold) CompareCpu(Pool deployed, Pool inProcess, int[] input)
    {
        Warm(deployed);
        var cold = Rounds.Time(() => { for (var i = 0; i < ColdMaps; i++) deployed.Map(Jobs.Cpu, input); });
        var rounds = Rounds.Run(CpuRounds, TimeSpan.FromSeconds(3),
            () => deployed.Map(Jobs.Cpu, input),
            () => inProcess.Map(Jobs.Cpu, input),
            () => { foreach (var x in input) Jobs.Cpu(x); });
        return (rounds, cold);
    }

    /// <summary>Prints the cold start's row: the first <see cref="ColdMaps"/> Maps against that many times the rounds' median serial loop.</summary>
    private static void ColdRow(string deployment, (Rounds Rounds, double Cold) cpu, int serial)
    {
        var serialSeconds = cpu.Rounds.Median(serial) * ColdMaps;
        Console.WriteLine($"| CPU-bound Map, {CpuItems} items, {deployment}: its first {ColdMaps} Maps on fresh processes (cold start, timed before the rounds above) "
            + $"| {Program.Format(cpu.Cold)} | {ColdMaps} x the rounds' median serial loop: {Program.Format(serialSeconds)} | {serialSeconds / cpu.Cold:F2}x | |");
    }

    /// <summary>
    /// Every worker has joined and has run the functions measured, as the serial and in-process
    /// runs have in this process: a fresh process would otherwise time the JIT's first compiles, not
    /// the pool. Its tiering goes on after this (see <see cref="CompareCpu"/>).
    /// </summary>
    private static void Warm(Pool pool)
    {
        pool.Map(Jobs.Trivial, Enumerable.Range(0, 1000), chunkSize: 1);
        pool.Map(Jobs.Cpu, Enumerable.Range(0, 8), chunkSize: 1);
    }

    private static void SubmitThenGetEach(Pool pool, int tasks)
    {
        var results = new AsyncResult<int>[tasks];
        for (var i = 0; i < tasks; i++)
            results[i] = pool.ApplyAsync(Jobs.Trivial, i);
        foreach (var result in results)
            result.Get();
    }

    private static Pool ClusterPool(string seed, int workers) =>
        new(new PoolOptions { Deployment = PoolDeployment.Cluster, SeedNodes = [seed], Processes = workers });

    /// <summary>Seconds from SIGKILL of <paramref name="victim"/>, once it is running the job, to the job's end.</summary>
    private static double KillToCompletion(Pool pool, NodeProcess victim)
    {
        var markers = Directory.CreateTempSubdirectory("actorpool-bench-").FullName;
        try
        {
            var input = Enumerable.Range(0, 2000).Select(x => (markers, x));
            var result = pool.StarMapAsync<string, int, int>(Jobs.MarkAndWork, input, chunkSize: 10);
            var marker = ProcessMarker.PathFor(markers, victim.ProcessId);
            if (!SpinWait.SpinUntil(() => File.Exists(marker), TimeSpan.FromSeconds(30)))
                throw new TimeoutException("The victim node never started work.");
            var watch = Stopwatch.StartNew();
            victim.Kill();
            result.Get();
            return watch.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(markers, recursive: true);
        }
    }

    private static string Rate(int tasks, double seconds) => $"{tasks / seconds:N0} tasks/s";

    private static void RateRow(string job, double ours, string against, double theirs, string target) =>
        Console.WriteLine($"| {job} | {ours:N0} tasks/s | {against}: {theirs:N0} tasks/s | {ours / theirs:F1}x | {target} |");
}
