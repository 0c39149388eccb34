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
        var steal = CpuSteal.Now();
        var folder = Directory.CreateTempSubdirectory("actorpool-bench-journal-").FullName;
        try
        {
            var trivialInput = Enumerable.Range(0, 1_000_000).ToArray();
            var cpuInput = Enumerable.Range(0, 400).ToArray();
            Rounds trivial, cpu;
            using (var pool = new Pool(new PoolOptions { Processes = workers, JournalPath = Path.Combine(folder, "journal.db") }))
            {
                // A durable Map returns once its last results are handed to the journal, which
                // commits them at once but behind it: see TimedJob.
                trivial = Rounds.RunMeasured(7, TimeSpan.FromSeconds(2),
                    () => Rounds.Time(() => pool.Map(Jobs.Trivial, trivialInput)),
                    () => TimedJob(pool, id => pool.Map(Jobs.Trivial, trivialInput, options: new JobOptions { JobId = id }), untilCommitted: false),
                    () => TimedJob(pool, id => pool.Map(Jobs.Trivial, trivialInput, options: new JobOptions { JobId = id }), untilCommitted: true));
                cpu = Rounds.RunMeasured(3, TimeSpan.FromSeconds(2),
                    () => Rounds.Time(() => pool.Map(Jobs.Cpu, cpuInput)),
                    () => TimedJob(pool, id => pool.Map(Jobs.Cpu, cpuInput, options: new JobOptions { JobId = id }), untilCommitted: false));
            }
            const int Plain = 0, Recorded = 1, Committed = 2;
            Console.WriteLine();
            Console.WriteLine("| job | plain Map | durable Map (journal) | durable over plain | target |");
            Console.WriteLine("|---|---|---|---|---|");
            trivial.CostRow("trivial Map, 1M ints, default chunks", Plain, Recorded, "<= 1.5x");
            trivial.CostRow("the same, until its commit (Map, then ForgetJob, which waits for it and deletes the job)", Plain, Committed, "none");
            cpu.CostRow("CPU-bound Map, 400 items", Plain, Recorded, "<= 1.05x");
            CpuSteal.Report(steal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Times a new durable job (a new id, so that it records everything rather than answering from
    /// the journal) to its return, or, with <paramref name="untilCommitted"/>, until
    /// <see cref="Pool.ForgetJob"/>, which waits for its commit, has deleted it. Either way the job
    /// is forgotten before the next contender runs.
    /// </summary>
    private static double TimedJob(Pool pool, Action<string> job, bool untilCommitted)
    {
        var id = Guid.NewGuid().ToString("N");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        job(id);
        var returned = watch.Elapsed.TotalSeconds;
        pool.ForgetJob(id);
        return untilCommitted ? watch.Elapsed.TotalSeconds : returned;
    }
}
