using ActorPool.Remote;
using CsCheck;

namespace ActorPool.Tests.Remote;

public sealed class QueueLimitTests
{
    [Fact]
    public void TryAdmit_WithinBothLimits_CountsTheBatch_AndReleaseTakesExactlyThatOff()
    {
        var limit = new QueueLimit(maxChunks: 10, maxBytes: 100);
        Assert.True(limit.TryAdmit(4, 40));
        Assert.True(limit.TryAdmit(6, 60)); // exactly at both limits
        Assert.Equal((2, 10L, 100L), limit.Waiting);
        limit.Release(4, 40);
        Assert.Equal((1, 6L, 60L), limit.Waiting);
        limit.Release(6, 60);
        Assert.Equal((0, 0L, 0L), limit.Waiting);
    }

    [Fact]
    public void TryAdmit_PastEitherLimitWhileSomethingWaits_IsRefusedAndCountsNothing()
    {
        var limit = new QueueLimit(maxChunks: 10, maxBytes: 100);
        Assert.True(limit.TryAdmit(5, 50));
        Assert.False(limit.TryAdmit(6, 1));  // chunks
        Assert.False(limit.TryAdmit(1, 51)); // bytes
        Assert.Equal((1, 5L, 50L), limit.Waiting);
        Assert.True(limit.TryAdmit(5, 50)); // full
        Assert.False(limit.TryAdmit(1, 0));
        Assert.False(limit.TryAdmit(0, 1));
    }

    [Fact]
    public void TryAdmit_NothingWaits_ABatchPastTheLimitsGetsInAlone_AndNothingWithIt()
    {
        var limit = new QueueLimit(maxChunks: 2, maxBytes: 10);
        Assert.True(limit.TryAdmit(64, 1000)); // a pool's batch on a node whose limit is below it: slower, never stuck
        Assert.False(limit.TryAdmit(0, 0));
        Assert.False(limit.TryAdmit(1, 1));
        limit.Release(64, 1000);
        Assert.True(limit.TryAdmit(1, 1));
    }

    [Fact]
    public void Create_LimitsBelowOne_AreRefusedNamingTheArgument()
    {
        Assert.Equal("maxChunks", Assert.Throws<ArgumentOutOfRangeException>(() => new QueueLimit(0, 1)).ParamName);
        Assert.Equal("maxBytes", Assert.Throws<ArgumentOutOfRangeException>(() => new QueueLimit(1, 0)).ParamName);
    }

    [Fact]
    public void LimitOf_ReferenceConf_LeavesRoomForManyPoolsWindows()
    {
        var limit = NodeQueue.LimitOf(ActorPool.Configuration.ReferenceConfig.Get());
        Assert.Equal(65536, limit.MaxChunks);
        Assert.Equal(512L * 1024 * 1024, limit.MaxBytes);
        // A pool's window on one worker: 2 batches of 64 chunks, of 16 MiB at most each.
        Assert.True(limit.MaxChunks >= 512 * 2 * 64 && limit.MaxBytes >= 16 * 2 * ActorPool.Protocol.ChunkWork.MaxWireBytes);
    }

    [Theory]
    [InlineData("max-chunks = 0", "max-chunks")]
    [InlineData("max-bytes = 0", "max-bytes")]
    [InlineData("max-chunks = -5", "max-chunks")]
    public void LimitOf_ASettingBelowOne_IsRefusedNamingIt(string setting, string named)
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString($"{NodeQueue.ConfigPath}.{setting}")
            .WithFallback(ActorPool.Configuration.ReferenceConfig.Get());
        var error = Assert.Throws<Akka.Configuration.ConfigurationException>(() => NodeQueue.LimitOf(config));
        Assert.Contains($"{NodeQueue.ConfigPath}.{named}", error.Message);
    }

    private static readonly Gen<(bool Admit, int Chunks, int Bytes, int Pick)> Steps =
        Gen.Select(Gen.Bool, Gen.Int[0, 12], Gen.Int[0, 120], Gen.Int[0, 1000]);

    [Fact]
    public void RandomAdmitsAndReleases_CountWhatWaits_RefuseOnlyWhatWouldPassALimit_AndEndAtZero()
    {
        Gen.Select(Gen.Int[1, 30], Gen.Int[1, 300], Steps.Array[1, 100]).Sample((maxChunks, maxBytes, steps) =>
        {
            var limit = new QueueLimit(maxChunks, maxBytes);
            var waiting = new List<(int Chunks, int Bytes)>();
            foreach (var (admit, chunks, bytes, pick) in steps)
            {
                if (admit)
                {
                    var fits = waiting.Count == 0
                        || (waiting.Sum(batch => batch.Chunks) + chunks <= maxChunks && waiting.Sum(batch => batch.Bytes) + bytes <= maxBytes);
                    Assert.Equal(fits, limit.TryAdmit(chunks, bytes));
                    if (fits)
                        waiting.Add((chunks, bytes));
                }
                else if (waiting.Count > 0)
                {
                    var released = waiting[pick % waiting.Count]; // batches leave in any order: several workers take them
                    waiting.Remove(released);
                    limit.Release(released.Chunks, released.Bytes);
                }
                Assert.Equal((waiting.Count, waiting.Sum(batch => (long)batch.Chunks), waiting.Sum(batch => (long)batch.Bytes)), limit.Waiting);
                Assert.True(waiting.Count <= 1 || (limit.Waiting.Chunks <= maxChunks && limit.Waiting.Bytes <= maxBytes), "Past a limit with company.");
            }
            foreach (var (chunks, bytes) in waiting)
                limit.Release(chunks, bytes);
            Assert.Equal((0, 0L, 0L), limit.Waiting);
        }, iter: 2000);
    }

    [Fact]
    public async Task DeliverersAndWorkersRacing_NeverPassALimitWithCompany_AndEndAtZero()
    {
        const int maxChunks = 50, maxBytes = 500, threads = 4, rounds = 20_000;
        var limit = new QueueLimit(maxChunks, maxBytes);
        var refused = 0;
        var racers = Enumerable.Range(0, threads).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            var mine = new Queue<(int, int)>();
            for (var i = 0; i < rounds; i++)
            {
                if (random.Next(2) == 0)
                {
                    var batch = (random.Next(0, 20), random.Next(0, 200));
                    if (limit.TryAdmit(batch.Item1, batch.Item2))
                        mine.Enqueue(batch);
                    else
                        Interlocked.Increment(ref refused);
                }
                else if (mine.TryDequeue(out var batch))
                {
                    limit.Release(batch.Item1, batch.Item2);
                }
                var (batches, chunks, bytes) = limit.Waiting;
                Assert.True(batches <= 1 || (chunks <= maxChunks && bytes <= maxBytes), $"{batches} batches wait with {chunks} chunks, {bytes} bytes.");
            }
            while (mine.TryDequeue(out var batch))
                limit.Release(batch.Item1, batch.Item2);
        })).ToArray();
        await Task.WhenAll(racers).WaitAsync(Gate.Limit);
        Assert.Equal((0, 0L, 0L), limit.Waiting);
        Assert.True(refused > 0, "The race never met the limit: it tested nothing.");
    }
}
