using ActorPool.Coordination;

namespace ActorPool.Tests.Coordination;

public sealed class ChunkTrackerTests
{
    [Fact]
    public void TryMark_EachChunkCountsOnceInAnyOrder()
    {
        var tracker = new ChunkTracker();
        Assert.True(tracker.TryMark(2));
        Assert.True(tracker.TryMark(0));
        Assert.False(tracker.TryMark(2));
        Assert.True(tracker.TryMark(1));
        Assert.False(tracker.TryMark(0)); // below the watermark now
        Assert.False(tracker.TryMark(1));
        Assert.Equal(3, tracker.Count);
    }
}
