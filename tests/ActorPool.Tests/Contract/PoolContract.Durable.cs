namespace ActorPool.Tests.Contract;

/// <summary>Durable jobs (<see cref="JobOptions.JobId"/>) and the pool's journal, on every routing strategy and deployment.</summary>
public abstract partial class PoolContract
{
    /// <summary>"folder|x": leaves a file of its own for this run of item x (so runs can be counted), and returns 10x.</summary>
    internal static int CountedRun(string folderAndItem)
    {
        var split = folderAndItem.LastIndexOf('|');
        var x = int.Parse(folderAndItem[(split + 1)..]);
        File.WriteAllText(Path.Combine(folderAndItem[..split], $"run-{x}-{Guid.NewGuid():N}"), "");
        return 10 * x;
    }

    /// <summary>As <see cref="CountedRun"/>, but item 95 first waits for the file <c>gate</c> in the folder.</summary>
    internal static int CountedRunGatedAt95(string folderAndItem)
    {
        var split = folderAndItem.LastIndexOf('|');
        if (folderAndItem.EndsWith("|95"))
            WaitForFile(Path.Combine(folderAndItem[..split], "gate"));
        return CountedRun(folderAndItem);
    }

    private static int[] RunsPerItem(string folder, int items)
    {
        var runs = new int[items];
        foreach (var file in Directory.GetFiles(folder, "run-*"))
            runs[int.Parse(Path.GetFileName(file).Split('-')[1])]++;
        return runs;
    }

    private static IEnumerable<string> Items(string folder, int count) => Enumerable.Range(0, count).Select(x => $"{folder}|{x}");

    [Fact]
    public void Map_DurableJobSubmittedAgain_ReturnsItsResultsWithoutRunningAnything()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        var journal = Path.Combine(folder, "journal.db");
        var options = new JobOptions { JobId = "twice" };
        using (var pool = NewDurablePool(journal))
            Assert.Equal(Enumerable.Range(0, 50).Select(x => 10 * x), pool.Map(CountedRun, Items(folder, 50), chunkSize: 7, options: options));
        using (var pool = NewDurablePool(journal))
            Assert.Equal(Enumerable.Range(0, 50).Select(x => 10 * x), pool.Map(CountedRun, Items(folder, 50), chunkSize: 7, options: options));
        Assert.All(RunsPerItem(folder, 50), runs => Assert.Equal(1, runs));
    }

    /// <summary>As <see cref="CountedRun"/> for item <paramref name="x"/>, with its result times <paramref name="factor"/>.</summary>
    internal static int CountedRunTimes(string folder, int x, int factor) => CountedRun($"{folder}|{x}") * factor;

    [Fact]
    public void StarMap_DurableJobOfTriplesSubmittedAgain_ReturnsItsResultsWithoutRunningAnything_AndOtherTriplesAreRefused()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        var journal = Path.Combine(folder, "journal.db");
        var options = new JobOptions { JobId = "triples" };
        var triples = Enumerable.Range(0, 30).Select(x => (folder, x, 3)).ToList();
        var expected = Enumerable.Range(0, 30).Select(x => 30 * x);
        using (var pool = NewDurablePool(journal))
            Assert.Equal(expected, pool.StarMap(CountedRunTimes, triples, chunkSize: 7, options: options));
        using (var pool = NewDurablePool(journal))
        {
            Assert.Equal(expected, pool.StarMapAsync(CountedRunTimes, triples, chunkSize: 7, options: options).Get(Limit));
            // Same function and count, one field of one triple changed: another job, refused under the recorded id.
            var changed = triples.Select(t => t.x == 29 ? (t.folder, t.x, 4) : t).ToList();
            Assert.Contains("'triples'", Assert.Throws<InvalidOperationException>(() => pool.StarMap(CountedRunTimes, changed, options: options)).Message);
        }
        Assert.All(RunsPerItem(folder, 30), runs => Assert.Equal(1, runs));
    }

    [Fact]
    public void MapAsync_DurableJobStoppedMidway_ResumesRunningOnlyWhatWasNotRecorded()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        try
        {
            var journal = Path.Combine(folder, "journal.db");
            var ninetyDone = new Signal();
            var told = 0; // progress may report 90 twice (its tick, and its last report when the pool stops)
            var first = NewDurablePool(journal);
            var result = first.MapAsync(CountedRunGatedAt95, Items(folder, 100), chunkSize: 10, options: new JobOptions
            {
                JobId = "resumed",
                Progress = new ProgressRecorder(report =>
                {
                    if (report.Completed == 90 && Interlocked.Exchange(ref told, 1) == 0)
                        ninetyDone.Set();
                }),
            });
            ninetyDone.WaitFor(); // nine chunks recorded; the last waits on its item 95
            first.Terminate(); // as if the driver died: the job ends unfinished
            // In process, Join waits for the worker thread still inside item 95, which ignores its
            // token: it is let go (whether its late chunk is recorded or not, the resume is right).
            File.WriteAllText(Path.Combine(folder, "gate"), "");
            first.Join();
            Assert.Throws<PoolTerminatedException>(() => result.Get(Limit));

            var progress = new ProgressRecorder();
            using (var second = NewDurablePool(journal))
            {
                var results = second.Map(CountedRunGatedAt95, Items(folder, 100), chunkSize: 10,
                    options: new JobOptions { JobId = "resumed", Progress = progress });
                Assert.Equal(Enumerable.Range(0, 100).Select(x => 10 * x), results);
            }
            var runs = RunsPerItem(folder, 100);
            Assert.All(runs[..90], count => Assert.Equal(1, count)); // recorded: not run again
            Assert.All(runs[90..], count => Assert.InRange(count, 1, 2)); // the unfinished chunk ran again
            Assert.Equal((100L, 0L, (long?)100L), (progress.Last.Completed, progress.Last.Failed, progress.Last.Total)); // restored items count as completed
        }
        finally
        {
            File.WriteAllText(Path.Combine(folder, "gate"), "");
        }
    }

    [Fact]
    public void Map_AnotherJobUnderARecordedId_IsRefusedNamingItAndTheJournalKeepsTheFirst()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        using var pool = NewDurablePool(Path.Combine(folder, "journal.db"));
        var options = new JobOptions { JobId = "the-id" };
        pool.Map(CountedRun, Items(folder, 5), options: options);
        var refused = Assert.Throws<InvalidOperationException>(() => pool.Map(CountedRun, Items(folder, 6), options: options));
        Assert.Contains("'the-id'", refused.Message);
        Assert.Equal([0, 10, 20, 30, 40], pool.Map(CountedRun, Items(folder, 5), options: options));
        Assert.All(RunsPerItem(folder, 6)[..5], runs => Assert.Equal(1, runs));

        Assert.True(pool.ForgetJob("the-id"));
        Assert.False(pool.ForgetJob("the-id"));
        Assert.Equal([0, 10, 20, 30, 40, 50], pool.Map(CountedRun, Items(folder, 6), options: options)); // the id is free again
    }

    [Fact]
    public void Journal_UsedByALivePool_ASecondPoolFailsNamingTheFile()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        var journal = Path.Combine(folder, "journal.db");
        using (NewDurablePool(journal))
        {
            var error = Assert.Throws<IOException>(() => NewDurablePool(journal));
            Assert.Contains(journal, error.Message);
        }
        using (NewDurablePool(journal))
        {
            // free again once the first pool is gone
        }
    }

    [Fact]
    public void JobId_Misused_IsRefusedNamingIt()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        using (var plain = NewPool())
            Assert.Equal("options.JobId", Assert.Throws<ArgumentException>(() => plain.Map(Func, [1], options: new JobOptions { JobId = "x" })).ParamName);
        using var pool = NewDurablePool(Path.Combine(folder, "journal.db"));
        Assert.Equal("options.JobId", Assert.Throws<ArgumentException>(() => pool.Map(Func, [1], options: new JobOptions { JobId = " " })).ParamName);
        Assert.Equal("options.JobId", Assert.Throws<ArgumentException>(() => pool.IMap(Func, [1], options: new JobOptions { JobId = "x" })).ParamName);
        Assert.Equal("options.JobId", Assert.Throws<ArgumentException>(() => pool.ApplyAsync(Func, 1, options: new JobOptions { JobId = "x" })).ParamName);
        var offset = 1;
        Assert.Equal("func", Assert.Throws<ArgumentException>(() => pool.Map(x => x + offset, [1], options: new JobOptions { JobId = "x" })).ParamName);
    }
}
