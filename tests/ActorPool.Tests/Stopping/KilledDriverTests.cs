namespace ActorPool.Tests.Stopping;

/// <summary>A durable job whose driver process is killed (SIGKILL), then started again: it resumes.</summary>
public sealed class KilledDriverTests
{
    private const int Items = 600; // 10 ms each on two workers: three seconds a run
    private const int KillAfter = 300;

    /// <summary>
    /// What a kill may cost: the items that were running, plus those whose results came in the
    /// last commit interval (200 ms: 40 items at this pace), with room for a slow machine.
    /// </summary>
    private const int MostRunTwice = 100;

    [Fact]
    public void DurableMap_DriverKilledHalfway_ResumesAndRunsTwiceOnlyWhatWasNotCommitted()
    {
        using var markers = new TempFolder();
        var folder = markers.Path;
        var journal = Path.Combine(folder, "journal.db");
        using (var first = StopApp.Start("durable", journal, folder, Items.ToString()))
        {
            if (!SpinWait.SpinUntil(() => Directory.GetFiles(folder, "run-*").Length >= KillAfter, Gate.Limit))
                throw new TimeoutException($"The job never got halfway. The app printed:\n{first.Output}");
            first.Kill();
        }
        var runsBefore = Directory.GetFiles(folder, "run-*").Length;
        Assert.True(runsBefore < Items, "The first run finished before it was killed.");

        using (var second = StopApp.Start("durable", journal, folder, Items.ToString()))
        {
            second.WaitForLine("ok"); // every result, in order, from the journal and the second run
            Assert.True(second.WaitForExit());
        }

        var runs = new int[Items];
        foreach (var file in Directory.GetFiles(folder, "run-*"))
            runs[int.Parse(Path.GetFileName(file).Split('-')[1])]++;
        Assert.All(runs, count => Assert.InRange(count, 1, 2));
        var twice = runs.Count(count => count == 2);
        Assert.True(twice <= MostRunTwice, $"{twice} items ran twice; the first run had run {runsBefore}.");
    }
}
