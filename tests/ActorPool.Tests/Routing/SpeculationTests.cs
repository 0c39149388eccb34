using System.Diagnostics;
using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Routing;
using static ActorPool.Tests.Routing.Chunks;

namespace ActorPool.Tests.Routing;

public sealed class SpeculationTests
{
    private static readonly SpeculationSettings Settings = new(SlowerThanMedian: 3, MinRunning: TimeSpan.FromSeconds(1), CheckInterval: TimeSpan.FromMilliseconds(250));

    private static long At(double seconds) => (long)(seconds * Stopwatch.Frequency);

    /// <summary>Workers a and b; b has run <paramref name="samples"/> one-item chunks of job 1 taking <paramref name="itemSeconds"/> each; a holds <paramref name="held"/>, sent at 0.</summary>
    private static (Speculation<string>, LossLedger<string>) Running(RunChunk[] held, int samples = 3, double itemSeconds = 0.1)
    {
        var speculation = new Speculation<string>(Settings);
        var ledger = new LossLedger<string>(maxLosses: 3, maxBatchesPerWorker: 2);
        ledger.Add("a");
        ledger.Add("b");
        speculation.Sent(ledger.Assign("a", held), held, At(0));
        for (var i = 0; i < samples; i++)
        {
            var chunk = Speculative(1, 100 + i);
            var id = ledger.Assign("b", [chunk]);
            speculation.Sent(id, [chunk], At(i * itemSeconds));
            speculation.Done("b", id, [chunk], At((i + 1) * itemSeconds));
            Assert.True(ledger.Complete("b", id, []));
        }
        return (speculation, ledger);
    }

    [Fact]
    public void Stragglers_AChunkRunningPastThreeMediansAndTheMinimum_IsOne()
    {
        var (speculation, ledger) = Running([Speculative(1, 0)]);
        Assert.Empty(speculation.Stragglers(ledger, _ => true, At(0.9))); // 3 medians passed, but not 1 s
        var (worker, chunk) = Assert.Single(speculation.Stragglers(ledger, _ => true, At(1.1)));
        Assert.Equal(("a", 0L), (worker, chunk.ChunkIndex));
    }

    [Fact]
    public void Stragglers_TheMedianSetsTheBarAboveTheMinimum()
    {
        var (speculation, ledger) = Running([Speculative(1, 0)], itemSeconds: 1);
        Assert.Empty(speculation.Stragglers(ledger, _ => true, At(2.9)));
        Assert.Single(speculation.Stragglers(ledger, _ => true, At(3.1)));
    }

    [Fact]
    public void Stragglers_NotForAJobWithoutSpeculation_NorBeforeAnyOfItsChunksEnded()
    {
        var (plain, plainLedger) = Running([Of(1, 0)]);
        Assert.Empty(plain.Stragglers(plainLedger, _ => true, At(100)));
        var (unmeasured, ledger) = Running([Speculative(1, 0)], samples: 0);
        Assert.Empty(unmeasured.Stragglers(ledger, _ => true, At(100)));
    }

    [Fact]
    public void Stragglers_NotWhileChunksMayNotHaveStarted_NorTwiceForOneChunk()
    {
        var (speculation, ledger) = Running([Speculative(1, 0), Speculative(1, 1)]);
        Assert.Empty(speculation.Stragglers(ledger, _ => false, At(100))); // its unstarted chunks were not taken back
        var (_, chunk) = Assert.Single(speculation.Stragglers(ledger, _ => true, At(100)));
        Assert.Equal(1, chunk.ChunkIndex); // the last of a batch run in order is the one running
        ledger.AssignCopy("b", chunk);
        Assert.Empty(speculation.Stragglers(ledger, _ => true, At(100)));
    }

    [Fact]
    public void Copies_TheFirstDoneNamesTheOtherHolder_WhichKeepsItsCopyUntilItReports()
    {
        var ledger = new LossLedger<string>(maxLosses: 3, maxBatchesPerWorker: 2);
        ledger.Add("a");
        ledger.Add("b");
        var chunk = Speculative(1, 0);
        var first = ledger.Assign("a", [Speculative(1, 5), chunk]);
        var copy = ledger.AssignCopy("b", chunk);
        Assert.True(ledger.IsCopied(chunk));
        var (ended, others) = Assert.Single(ledger.EndCopies("b", copy, []));
        Assert.Equal((chunk.JobId, chunk.ChunkIndex), (ended.JobId, ended.ChunkIndex));
        Assert.Equal(["a"], others);
        Assert.True(ledger.Complete("b", copy, []));
        // The loser still runs it: a is busy, its batch keeps its places, and the chunk is not copied again.
        Assert.Equal([5L, 0L], ledger.HeldBy("a").Select(held => held.ChunkIndex));
        Assert.True(ledger.IsCopied(chunk));
        Assert.Empty(ledger.Shrink("a", first, 1)); // taken back after the win: nothing of it to run again
        Assert.Empty(ledger.EndCopies("a", first, []));
        Assert.True(ledger.Complete("a", first, []));
        Assert.False(ledger.IsCopied(chunk));
    }

    [Fact]
    public void Copies_ALostHolderLeavesTheChunkToTheOtherCopy_AndALostLoserSendsNothingAgain()
    {
        var ledger = new LossLedger<string>(maxLosses: 3, maxBatchesPerWorker: 2);
        ledger.Add("a");
        ledger.Add("b");
        ledger.Add("c");
        var running = Speculative(1, 1);
        ledger.Assign("a", [running]);
        var survivor = ledger.AssignCopy("c", running);
        Assert.Empty(ledger.Lose("a", crashed: true, runningOnly: false).Again); // c's copy answers for it
        Assert.Equal([1L], ledger.HeldBy("c").Select(held => held.ChunkIndex));
        Assert.Empty(ledger.EndCopies("c", survivor, [])); // the only copy left: nothing to cancel
        Assert.True(ledger.Complete("c", survivor, []));

        var won = Speculative(1, 2);
        ledger.Assign("b", [won]);
        var copy = ledger.AssignCopy("c", won);
        Assert.Equal(["b"], Assert.Single(ledger.EndCopies("c", copy, [])).Others);
        Assert.True(ledger.Complete("c", copy, []));
        Assert.Empty(ledger.Lose("b", crashed: true, runningOnly: false).Again); // its copy already answered
        Assert.False(ledger.IsCopied(won));
    }
}
