using ActorPool;

/// <summary>
/// What a durable job (<see cref="JobOptions.JobId"/>) costs against the same Map without a
/// journal, timed side by side in the same rounds, on the same pool. Each durable run is a new job
/// (a new id), so that it records everything rather than answering from the journal.
/// </summary>
internal static class Durable
{
    public static void Run(int workers)
    {
        var folder = Directory.CreateTempSubdirectory("actorpool-bench-journal-").FullName;
        try
        {
            var trivialInput = Enumerable.Range(0, 1_000_000).ToArray();
            var cpuInput = Enumerable.Range(0, 400).ToArray();
            Rounds trivial, cpu;
            using (var pool = new Pool(new PoolOptions { Processes = workers, JournalPath = Path.Combine(folder, "journal.db") }))
            {
                trivial = Rounds.Run(7, TimeSpan.FromSeconds(2),
                    () => pool.Map(Jobs.Trivial, trivialInput),
                    () => pool.Map(Jobs.Trivial, trivialInput, options: NewJob()));
                cpu = Rounds.Run(3, TimeSpan.FromSeconds(2),
                    () => pool.Map(Jobs.Cpu, cpuInput),
                    () => pool.Map(Jobs.Cpu, cpuInput, options: NewJob()));
            }
            const int Plain = 0, Recorded = 1;
            Console.WriteLine();
            Console.WriteLine("| job | plain Map | durable Map (journal) | durable over plain | target |");
            Console.WriteLine("|---|---|---|---|---|");
            trivial.CostRow("trivial Map, 1M ints, default chunks", Plain, Recorded, "<= 1.5x");
            cpu.CostRow("CPU-bound Map, 400 items", Plain, Recorded, "<= 1.05x");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static JobOptions NewJob() => new() { JobId = Guid.NewGuid().ToString("N") };
}
