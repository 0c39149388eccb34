using ActorPool.Workers;

namespace ActorPool.Tests.Workers;

public sealed class BatchClaimsTests
{
    [Fact]
    public void TakeBack_RunningBatch_KeepsWhatStartedAndTheWorkerStopsThere()
    {
        var claims = new BatchClaims<string>();
        Assert.Equal(5, claims.Start("a", 1, 5));
        Assert.True(claims.TryClaim("a", 0));
        Assert.True(claims.TryClaim("a", 1));
        Assert.Equal(2, claims.TakeBack("a", 1));
        Assert.False(claims.TryClaim("a", 2));
        Assert.Equal(2, claims.Finish("a"));
    }

    [Fact]
    public void TakeBack_BatchNotStartedYet_TheWorkerRunsNoneOfIt()
    {
        var claims = new BatchClaims<string>();
        claims.Start("a", 1, 3);
        Assert.Equal(0, claims.TakeBack("a", 2)); // still in the mailbox
        Assert.True(claims.TryClaim("a", 0));
        claims.Finish("a");
        Assert.Equal(0, claims.Start("a", 2, 4));
        Assert.False(claims.TryClaim("a", 0));
        Assert.Equal(0, claims.Finish("a"));
    }

    [Fact]
    public void TakeBack_FinishedOrFullyStartedBatch_TakesNothing()
    {
        var claims = new BatchClaims<string>();
        claims.Start("a", 1, 2);
        Assert.True(claims.TryClaim("a", 0));
        Assert.True(claims.TryClaim("a", 1));
        Assert.Null(claims.TakeBack("a", 1)); // its last chunk runs
        Assert.Equal(2, claims.Finish("a"));
        Assert.Null(claims.TakeBack("a", 1)); // done
        Assert.Equal(3, claims.Start("a", 3, 3)); // batch 2 went to another worker: ids are per router
        Assert.Null(claims.TakeBack("a", 2));
    }

    [Fact]
    public void Workers_AreTrackedApart()
    {
        var claims = new BatchClaims<string>();
        claims.Start("a", 1, 2);
        claims.Start("b", 2, 2);
        Assert.Equal(0, claims.TakeBack("a", 1));
        Assert.True(claims.TryClaim("b", 0));
        Assert.False(claims.TryClaim("a", 0));
    }

    [Fact]
    public async Task WorkerAndTakerRacing_EveryChunkRunsOrIsTakenBackNeverBoth()
    {
        var claims = new BatchClaims<string>();
        const int batches = 2000, size = 8;
        var ran = new int[batches];
        var kept = new int?[batches];
        var worker = Task.Run(() =>
        {
            for (var b = 0; b < batches; b++)
            {
                claims.Start("w", b, size);
                while (ran[b] < size && claims.TryClaim("w", ran[b]))
                    ran[b]++;
                Assert.Equal(ran[b], claims.Finish("w"));
            }
        });
        var taker = Task.Run(() =>
        {
            var random = new Random(7);
            for (var b = 0; b < batches; b++)
            {
                if (random.Next(3) == 0)
                    kept[b] = claims.TakeBack("w", b);
            }
        });
        await Task.WhenAll(worker, taker).WaitAsync(Gate.Limit);
        for (var b = 0; b < batches; b++)
        {
            // What ran is a prefix; what was taken is exactly the rest.
            if (kept[b] is { } from)
                Assert.Equal(from, ran[b]);
            else
                Assert.Equal(size, ran[b]);
        }
    }
}
