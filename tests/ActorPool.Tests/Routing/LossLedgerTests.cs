using ActorPool.Protocol;
using ActorPool.Routing;
using static ActorPool.Tests.Routing.Chunks;

namespace ActorPool.Tests.Routing;

public sealed class LossLedgerTests
{
    private static LossLedger<string> Ledger(int maxLosses = 2, params string[] workers)
    {
        var ledger = new LossLedger<string>(maxLosses, maxBatchesPerWorker: 2);
        foreach (var worker in workers)
            ledger.Add(worker);
        return ledger;
    }

    [Fact]
    public void TryPick_ChoosesTheWorkerWithFewestChunks()
    {
        var ledger = Ledger(2, "a", "b");
        ledger.Assign("a", Job(1, 3));
        ledger.Assign("b", [Of(2, 0)]);
        Assert.True(ledger.TryPick(plenty: true, suspectNext: false, out var worker));
        Assert.Equal("b", worker);
    }

    [Fact]
    public void TryPick_WithoutPlentyOfWork_OnlyIdleWorkersHaveRoom()
    {
        var ledger = Ledger(2, "a");
        ledger.Assign("a", [Of(1, 0)]);
        Assert.False(ledger.TryPick(plenty: false, suspectNext: false, out _));
        Assert.True(ledger.TryPick(plenty: true, suspectNext: false, out _));
        ledger.Assign("a", [Of(1, 1)]);
        Assert.False(ledger.TryPick(plenty: true, suspectNext: false, out _)); // at its bound of 2 batches
    }

    [Fact]
    public void Complete_OnlyTheOldestBatchAnswers_AndAStaleReportIsIgnored()
    {
        var ledger = Ledger(2, "a");
        var first = ledger.Assign("a", [Of(1, 0)]);
        var second = ledger.Assign("a", [Of(1, 1)]);
        Assert.False(ledger.Complete("a", second, []));
        Assert.True(ledger.Complete("a", first, []));
        Assert.True(ledger.Complete("a", second, []));
        Assert.False(ledger.Complete("a", second, []));
        Assert.False(ledger.Complete("nobody", first, []));
    }

    [Fact]
    public void Lose_Crashed_BlamesEveryHeldChunkAndReturnsThemOldestFirst()
    {
        var ledger = Ledger(2, "a");
        ledger.Assign("a", [Of(1, 0), Of(1, 1)]);
        ledger.Assign("a", [Of(1, 2)]);
        var loss = ledger.Lose("a", crashed: true, runningOnly: false);
        Assert.Equal([0, 1, 2], loss.Again.Select(chunk => chunk.ChunkIndex));
        Assert.Empty(loss.Failed);
        Assert.All(loss.Again, chunk => Assert.True(ledger.IsSuspect(chunk)));
        Assert.Equal(0, ledger.WorkerCount);
    }

    [Fact]
    public void Lose_Unreachable_BlamesOnlyTheBatchThatWasRunning()
    {
        var ledger = Ledger(2, "a");
        ledger.Assign("a", [Of(1, 0)]);
        ledger.Assign("a", [Of(1, 1)]);
        var loss = ledger.Lose("a", crashed: true, runningOnly: true);
        Assert.True(ledger.IsSuspect(loss.Again[0]));
        Assert.False(ledger.IsSuspect(loss.Again[1]));
    }

    [Fact]
    public void Lose_LeftTheCluster_BlamesNothing()
    {
        var ledger = Ledger(2, "a");
        ledger.Assign("a", [Of(1, 0)]);
        var loss = ledger.Lose("a", crashed: false, runningOnly: false);
        Assert.False(ledger.IsSuspect(loss.Again.Single()));
        Assert.Equal(0, ledger.SuspectCount);
    }

    [Fact]
    public void Lose_AChunkThatKilledMaxLossesWorkers_FailsAndIsForgotten()
    {
        var ledger = Ledger(2, "a", "b");
        var killer = Of(1, 0);
        ledger.Assign("a", [killer]);
        Assert.Equal([killer], ledger.Lose("a", crashed: true, runningOnly: false).Again);
        ledger.Assign("b", [killer]);
        var loss = ledger.Lose("b", crashed: true, runningOnly: false);
        Assert.Empty(loss.Again);
        Assert.Equal((killer, 2), loss.Failed.Single());
        Assert.Equal(0, ledger.SuspectCount);
    }

    [Fact]
    public void ASuspect_GoesOnlyToAnIdleWorker_AndItsWorkerGetsNothingElse()
    {
        var ledger = Ledger(2, "a", "b");
        var suspect = Of(1, 0);
        ledger.Assign("a", [suspect]);
        ledger.Lose("a", crashed: true, runningOnly: false);
        ledger.Add("c");
        ledger.Assign("b", [Of(2, 0)]);
        Assert.True(ledger.TryPick(plenty: true, suspectNext: true, out var worker));
        Assert.Equal("c", worker); // b holds work: a suspect goes only where nothing else is
        ledger.Assign("c", [suspect]);
        ledger.Assign("b", [Of(2, 1)]);
        Assert.False(ledger.TryPick(plenty: true, suspectNext: false, out _)); // b is at its bound; c holds a suspect
    }

    [Fact]
    public void Complete_FinishedChunksAreForgiven_ReturnedOnesStaySuspect()
    {
        var ledger = Ledger(3, "a", "b");
        ledger.Assign("a", [Of(1, 0), Of(1, 1)]);
        var again = ledger.Lose("a", crashed: true, runningOnly: false).Again;
        var first = ledger.Assign("b", [again[0]]);
        Assert.True(ledger.Complete("b", first, []));
        Assert.False(ledger.IsSuspect(again[0]));
        var second = ledger.Assign("b", [again[1]]);
        Assert.True(ledger.Complete("b", second, [again[1]]));
        Assert.True(ledger.IsSuspect(again[1]));
        ledger.Forget([again[1]]);
        Assert.Equal(0, ledger.SuspectCount);
    }

    [Fact]
    public void Refuse_ABatchBehindTheRunningOne_ReturnsItsChunks_AndTheRunningOnesReportStillAnswers()
    {
        var ledger = Ledger(2, "a");
        var running = ledger.Assign("a", [Of(1, 0)]);
        var refused = ledger.Assign("a", [Of(1, 1), Of(1, 2)]);
        // The node's refusal overtakes the report of the batch sent before it.
        Assert.Equal([1L, 2L], ledger.Refuse("a", refused)!.Select(chunk => chunk.ChunkIndex));
        Assert.Equal([0L], ledger.HeldBy("a").Select(chunk => chunk.ChunkIndex));
        Assert.True(ledger.Complete("a", running, []));
        Assert.Empty(ledger.BatchesOf("a"));
        Assert.Null(ledger.Refuse("a", refused)); // said twice, or of a batch no longer held: nothing more
    }

    [Fact]
    public void Refuse_TheWorkerGetsNothingUntilItReportsABatchDone()
    {
        var ledger = Ledger(2, "a", "b");
        var running = ledger.Assign("a", [Of(1, 0)]);
        ledger.Refuse("a", ledger.Assign("a", [Of(1, 1)]));
        Assert.True(ledger.IsRefused("a"));
        ledger.Assign("b", Job(2, 5));
        Assert.True(ledger.TryPick(plenty: true, suspectNext: false, out var picked));
        Assert.Equal("b", picked); // "a" holds fewer chunks, but its node is full
        Assert.True(ledger.Complete("a", running, []));
        Assert.False(ledger.IsRefused("a"));
        Assert.True(ledger.TryPick(plenty: false, suspectNext: false, out picked));
        Assert.Equal("a", picked);
    }

    [Fact]
    public void Refuse_AWorkerHoldingNothing_IsNoIdleWorkerUntilResumed()
    {
        var ledger = Ledger(2, "a", "b");
        ledger.Refuse("a", ledger.Assign("a", [Of(1, 0)]));
        ledger.Assign("b", Job(2, 3));
        Assert.False(ledger.TryPick(plenty: false, suspectNext: false, out _));
        Assert.Empty(ledger.Stragglers()); // nothing is taken back from "b" for a worker that can take nothing
        Assert.True(ledger.Resume("a"));
        Assert.False(ledger.Resume("a"));
        Assert.True(ledger.TryPick(plenty: false, suspectNext: false, out var picked));
        Assert.Equal("a", picked);
        Assert.NotEmpty(ledger.Stragglers());
    }

    [Fact]
    public void Refuse_AStragglersCopy_IsNotQueuedAgain_TheOriginalStillRuns()
    {
        var ledger = Ledger(2, "a", "b");
        var chunk = Speculative(1, 0);
        var original = ledger.Assign("a", [chunk]);
        var copy = ledger.AssignCopy("b", chunk);
        Assert.Empty(ledger.Refuse("b", copy)!);
        Assert.False(ledger.IsCopied(chunk)); // it may be copied again
        Assert.True(ledger.Complete("a", original, []));
        Assert.Empty(ledger.Workers.SelectMany(ledger.HeldBy));
    }

    [Fact]
    public void Refuse_ASuspect_StaysSuspectAndIsQueuedAgain()
    {
        var ledger = Ledger(3, "a", "b");
        ledger.Assign("a", [Of(1, 0)]);
        var suspect = Assert.Single(ledger.Lose("a", crashed: true, runningOnly: false).Again);
        var batch = ledger.Assign("b", [suspect]);
        Assert.Equal([suspect], ledger.Refuse("b", batch)!);
        Assert.True(ledger.IsSuspect(suspect)); // it did not run: neither cleared nor blamed
    }
}

public sealed class LossLedgerStragglerTests
{
    private static RunChunk Chunk(long index) => new(1, index, index, new ThunkWork<int>(() => 1), Akka.Actor.ActorRefs.Nobody);

    [Fact]
    public void Stragglers_OnlyWhileAWorkerIdles_AndOnlyThoseHoldingMoreThanOneChunk()
    {
        var ledger = new LossLedger<string>(maxLosses: 3, maxBatchesPerWorker: 2);
        ledger.Add("a");
        ledger.Add("b");
        ledger.Add("c");
        var first = ledger.Assign("a", [Chunk(0), Chunk(1)]);
        var second = ledger.Assign("a", [Chunk(2)]);
        ledger.Assign("b", [Chunk(3)]);
        ledger.Assign("c", [Chunk(4)]);
        Assert.Empty(ledger.Stragglers()); // nobody idles
        Assert.True(ledger.Complete("c", 4, []));
        var straggler = Assert.Single(ledger.Stragglers());
        Assert.Equal("a", straggler.Worker);
        Assert.Equal([first, second], straggler.BatchIds);
    }

    [Fact]
    public void Shrink_ReturnsTheTakenChunksOnce_WhoeverReportsFirst()
    {
        var ledger = new LossLedger<string>(maxLosses: 3, maxBatchesPerWorker: 2);
        ledger.Add("a");
        var batch = ledger.Assign("a", [Chunk(0), Chunk(1), Chunk(2)]);
        Assert.Equal([1L, 2L], ledger.Shrink("a", batch, 1).Select(chunk => chunk.ChunkIndex));
        Assert.Empty(ledger.Shrink("a", batch, 1)); // the worker's BatchDone says it again
        Assert.Equal([0L], ledger.HeldBy("a").Select(chunk => chunk.ChunkIndex));
        Assert.True(ledger.Complete("a", batch, []));
        Assert.Empty(ledger.Shrink("a", batch, 0)); // the node's word came after the batch was done
    }
}
