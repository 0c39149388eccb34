using ActorPool;
using ActorPool.Testing;

/// <summary>
/// What TLS costs a cluster: the same jobs on two 2-node clusters of node host processes on
/// 127.0.0.1, one over plain TCP and one over TLS with a certificate, side by side in each round.
/// </summary>
internal static class Tls
{
    public static void Run(int workers)
    {
        Console.WriteLine();
        Console.WriteLine("## TLS against plain TCP (2-node clusters on this machine)");
        var steal = CpuSteal.Now();
        var cpuInput = Enumerable.Range(0, Distributed.CpuItems).ToArray();
        var functions = typeof(Jobs).Assembly;
        using var files = new TestCertificates();
        var certificate = TestCertificates.Create("actorpool-bench");
        string[] tlsArguments = ["--certificate", files.Write(certificate)];
        Rounds cpu, chunked, oneByOne, roundTrips;
        using (var plainSeed = NodeProcess.Start(functions, workers: workers))
        using (var plainSecond = NodeProcess.Start(functions, plainSeed.Endpoint, workers: workers))
        using (var tlsSeed = NodeProcess.Start(functions, workers: workers, arguments: tlsArguments, environment: TestCertificates.Environment))
        using (var tlsSecond = NodeProcess.Start(functions, tlsSeed.Endpoint, workers: workers, arguments: tlsArguments, environment: TestCertificates.Environment))
        using (var plain = new Pool(new PoolOptions { Deployment = PoolDeployment.Cluster, SeedNodes = [plainSeed.Endpoint], Processes = workers }))
        using (var tls = new Pool(new PoolOptions { Deployment = PoolDeployment.Cluster, SeedNodes = [tlsSeed.Endpoint], Processes = workers, Certificate = certificate }))
        {
            cpu = Rounds.Run(Distributed.CpuRounds, TimeSpan.FromSeconds(3),
                () => plain.Map(Jobs.Cpu, cpuInput),
                () => tls.Map(Jobs.Cpu, cpuInput));
            chunked = Rounds.Run(5, TimeSpan.FromSeconds(1),
                () => plain.Map(Jobs.Trivial, Enumerable.Range(0, Distributed.TinyChunked)),
                () => tls.Map(Jobs.Trivial, Enumerable.Range(0, Distributed.TinyChunked)));
            oneByOne = Rounds.Run(5, TimeSpan.FromSeconds(1),
                () => plain.Map(Jobs.Trivial, Enumerable.Range(0, Distributed.TinyOneByOne), chunkSize: 1),
                () => tls.Map(Jobs.Trivial, Enumerable.Range(0, Distributed.TinyOneByOne), chunkSize: 1));
            roundTrips = Rounds.Run(5, TimeSpan.FromSeconds(1),
                () => { for (var i = 0; i < Distributed.RoundTrips; i++) plain.ApplyAsync(Jobs.Trivial, i).Get(); },
                () => { for (var i = 0; i < Distributed.RoundTrips; i++) tls.ApplyAsync(Jobs.Trivial, i).Get(); });
        }

        Console.WriteLine();
        Console.WriteLine("| job | plain TCP | TLS | TLS / plain | target |");
        Console.WriteLine("|---|---|---|---|---|");
        const int Plain = 0, Secured = 1;
        cpu.CostRow($"CPU-bound Map, {Distributed.CpuItems} items", Plain, Secured, "<= 1.05x");
        oneByOne.CostRow($"tiny tasks one at a time, Map of {Distributed.TinyOneByOne:N0} with chunk size 1", Plain, Secured, "<= 1.3x");
        roundTrips.CostRow($"{Distributed.RoundTrips:N0} sequential ApplyAsync + Get round trips", Plain, Secured, "<= 1.3x");
        chunked.CostRow($"tiny tasks chunked, Map of {Distributed.TinyChunked:N0}", Plain, Secured, "");
        CpuSteal.Report(steal);
    }
}
