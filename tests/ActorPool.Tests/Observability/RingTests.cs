using ActorPool.Observability;
using CsCheck;

namespace ActorPool.Tests.Observability;

public sealed class RingTests
{
    [Fact]
    public void Since_ReturnsWhatCameAfterTheCursor_OldestFirst_AndMovesTheCursor()
    {
        var ring = new Ring<int>(4);
        var cursor = 0L;
        ring.Add(1);
        ring.Add(2);
        Assert.Equal([1, 2], ring.Since(ref cursor));
        Assert.Equal(2, cursor);
        Assert.Empty(ring.Since(ref cursor));
        ring.Add(3);
        Assert.Equal([3], ring.Since(ref cursor));
    }

    [Fact]
    public void Since_AReaderThatFellBehind_GetsWhatIsStillKept()
    {
        var ring = new Ring<int>(3);
        var cursor = 0L;
        for (var i = 1; i <= 5; i++)
            ring.Add(i);
        Assert.Equal([3, 4, 5], ring.Since(ref cursor));
        Assert.Equal(5, cursor);
    }

    [Fact]
    public void Since_AnySequenceOfAddsAndReads_GivesEachItemOnceInOrder_UnlessOverwrittenBeforeItWasRead()
    {
        Gen.Int[1, 8].SelectMany(capacity => Gen.Int[0, 6].Array[0, 40].Select(steps => (capacity, steps))).Sample(t =>
        {
            var (capacity, steps) = t;
            var ring = new Ring<int>(capacity);
            var cursor = 0L;
            var next = 0;
            var read = new List<int>();
            var unread = new List<int>();
            foreach (var adds in steps)
            {
                for (var i = 0; i < adds; i++)
                    unread.Add(next++);
                for (var i = 0; i < adds; i++)
                    ring.Add(unread[unread.Count - adds + i]);
                var got = ring.Since(ref cursor);
                Assert.Equal(unread.TakeLast(capacity), got);
                read.AddRange(got);
                unread.Clear();
                Assert.Equal(ring.Added, cursor);
            }
            Assert.Equal(read.Order(), read);
            Assert.Equal(read.Count, read.Distinct().Count());
        });
    }
}
