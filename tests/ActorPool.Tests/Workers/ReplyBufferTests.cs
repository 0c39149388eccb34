using System.Collections.Concurrent;
using System.Diagnostics;
using ActorPool.Protocol;
using ActorPool.Workers;
using Akka.Actor;

namespace ActorPool.Tests.Workers;

public sealed class ReplyBufferTests
{
    private static readonly TimeSpan Limit = Gate.Limit;
    private static readonly long HoldTicks = (long)(ReplyBuffer.Hold.TotalSeconds * Stopwatch.Frequency);

    private readonly List<(IActorRef To, object Message)> _sent = new();
    private long _now = 1_000_000;
    private readonly ReplyBuffer _buffer;
    private static readonly IActorRef A = new FakeRef("a");
    private static readonly IActorRef B = new FakeRef("b");

    public ReplyBufferTests() => _buffer = new ReplyBuffer((to, message) => _sent.Add((to, message)), () => _now, timer: false);

    /// <summary>What each message sent carried, as result names.</summary>
    private List<string[]> Sent() => _sent.Select(s => s.Message is ChunkResults many ? many.Results.Cast<string>().ToArray() : [(string)s.Message]).ToList();

    [Fact]
    public void FirstResult_GoesAtOnce()
    {
        _buffer.Add(A, "r0");
        Assert.Equal([["r0"]], Sent());
        Assert.Equal(0, _buffer.Count);
    }

    [Fact]
    public void FastResults_AreHeldAndGoTogetherInOrder_WhenFlushed()
    {
        _buffer.Add(A, "r0");
        _buffer.Add(A, "r1");
        _buffer.Add(A, "r2");
        Assert.Single(_sent);
        _buffer.Flush();
        Assert.Equal([["r0"], ["r1", "r2"]], Sent());
        Assert.IsType<ChunkResults>(_sent[1].Message);
        Assert.Equal(A, _sent[1].To);
    }

    [Fact]
    public void HeldResults_GoOnceTheHoldHasRunOut()
    {
        _buffer.Add(A, "r0");
        _buffer.Add(A, "r1");
        _now += HoldTicks; // the chunk of r2 took the whole hold
        _buffer.Add(A, "r2");
        Assert.Equal([["r0"], ["r1", "r2"]], Sent());
    }

    [Fact]
    public void SlowChunks_EachResultGoesAtOnce()
    {
        for (var i = 0; i < 3; i++)
        {
            _now += HoldTicks;
            _buffer.Add(A, $"r{i}");
        }
        Assert.Equal([["r0"], ["r1"], ["r2"]], Sent());
    }

    [Fact]
    public void AnotherReplyAddress_SendsWhatIsHeldFirst()
    {
        _buffer.Add(A, "a0");
        _buffer.Add(A, "a1");
        _buffer.Add(B, "b0");
        _buffer.Flush();
        Assert.Equal([(A, "a0"), (A, "a1"), (B, "b0")], _sent.Select(s => (s.To, (string)s.Message)));
    }

    [Fact]
    public void MaxResults_AreSentTogetherWithoutWaitingForTheHold()
    {
        _buffer.Add(A, "first");
        for (var i = 0; i < ReplyBuffer.MaxResults; i++)
            _buffer.Add(A, $"r{i}");
        Assert.Equal(2, _sent.Count);
        Assert.Equal(ReplyBuffer.MaxResults, ((ChunkResults)_sent[1].Message).Results.Length);
        Assert.Equal(0, _buffer.Count);
    }

    private sealed record Sized(long WireBytes) : IWireSized;

    [Fact]
    public void WireBytes_NoMessageTakesMoreThanTheBoundUnlessOneResultAloneDoes()
    {
        var sent = new List<object>();
        var buffer = new ReplyBuffer((_, message) => sent.Add(message), () => _now, timer: false);
        var half = ChunkWork.MaxWireBytes / 2;
        buffer.Add(A, new Sized(1)); // goes at once
        buffer.Add(A, new Sized(half));
        buffer.Add(A, new Sized(half)); // exactly the bound: held with the other
        buffer.Add(A, new Sized(1)); // would pass it: the two go first
        buffer.Add(A, new Sized(ChunkWork.MaxWireBytes * 2)); // too big for any company
        buffer.Flush();
        long Bytes(object message) => message is ChunkResults many ? many.Results.Sum(r => ((Sized)r).WireBytes) : ((Sized)message).WireBytes;
        Assert.Equal([1, 2 * half, 1, 2L * ChunkWork.MaxWireBytes], sent.Select(Bytes));
    }

    [Fact]
    public void FlushIfDue_SendsWhatIsHeld()
    {
        _buffer.Add(A, "r0");
        _buffer.Add(A, "r1");
        _buffer.FlushIfDue();
        Assert.Equal([["r0"], ["r1"]], Sent());
    }

    [Fact]
    public void HeldResult_IsSentByTheTimer_WhileTheWorkerIsBusyElsewhere()
    {
        var sent = new BlockingCollection<object>();
        using var buffer = new ReplyBuffer((_, message) => sent.Add(message), () => _now); // the clock stands still: only the timer can end the hold
        buffer.Add(A, "r0");
        buffer.Add(A, "r1");
        Assert.True(sent.TryTake(out var first, Limit));
        Assert.Equal("r0", first);
        Assert.True(sent.TryTake(out var second, Limit), "The held result was never sent.");
        Assert.Equal("r1", second);
    }

    [Fact]
    public void Dispose_SendsWhatIsHeld()
    {
        _buffer.Add(A, "r0");
        _buffer.Add(A, "r1");
        _buffer.Dispose();
        Assert.Equal([["r0"], ["r1"]], Sent());
    }

    private static readonly IActorRef Router = new FakeRef("router");

    [Fact]
    public void ResultsThroughARouter_GoTogetherWhateverTheirReplyAddress()
    {
        _buffer.Add(A, "a0", via: Router); // at once
        _buffer.Add(A, "a1", via: Router);
        _buffer.Add(B, "b0", via: Router);
        _buffer.Add(A, "a2", via: Router);
        _buffer.Flush();
        Assert.Equal([Router, Router], _sent.Select(s => s.To));
        var routed = Assert.IsType<RoutedResults>(_sent[1].Message);
        Assert.Equal([A, B, A], routed.ReplyTo);
        Assert.Equal(["a1", "b0", "a2"], routed.Results.Cast<string>());
    }

    [Fact]
    public void ARoutedResultAfterADirectOne_SendsWhatIsHeldFirst()
    {
        _buffer.Add(A, "a0"); // at once
        _buffer.Add(A, "a1");
        _buffer.Add(A, "a2", via: Router);
        _buffer.Flush();
        Assert.Equal([A, A, Router], _sent.Select(s => s.To));
        Assert.Equal("a1", _sent[1].Message);
        Assert.Equal(["a2"], Assert.IsType<RoutedResults>(_sent[2].Message).Results.Cast<string>());
    }

    [Fact]
    public void FlushEnding_LastResultThroughThatRouter_GoesWithTheBatchEndInOneMessage()
    {
        var done = new BatchDone(7, []);
        _buffer.Add(A, "a0", via: Router, last: true); // held, though the first after a quiet spell
        Assert.Empty(_sent);

        _buffer.FlushEnding(Router, done);

        var (to, message) = Assert.Single(_sent);
        Assert.Equal(Router, to);
        var routed = Assert.IsType<RoutedResults>(message);
        Assert.Equal(["a0"], routed.Results.Cast<string>());
        Assert.Same(done, routed.Done);
    }

    [Fact]
    public void FlushEnding_ResultsForTheirAddressOrNone_TheBatchEndGoesAloneAfterThem()
    {
        var done = new BatchDone(7, []);
        _buffer.Add(A, "r0", last: true);
        _buffer.FlushEnding(Router, done);
        _buffer.FlushEnding(Router, done); // nothing held

        Assert.Equal([A, Router, Router], _sent.Select(s => s.To));
        Assert.Equal("r0", _sent[0].Message);
        Assert.Same(done, _sent[1].Message);
        Assert.Same(done, _sent[2].Message);
    }

    [Fact]
    public void FlushEnding_ResultsThroughAnotherRouter_GoThereTheBatchEndAlone()
    {
        var other = new FakeRef("other router");
        var done = new BatchDone(7, []);
        _buffer.Add(A, "a0", via: other, last: true);
        _buffer.FlushEnding(Router, done);

        Assert.Equal([other, Router], _sent.Select(s => s.To));
        Assert.Null(Assert.IsType<RoutedResults>(_sent[0].Message).Done);
        Assert.Same(done, _sent[1].Message);
    }

    [Fact]
    public void Flush_WithNothingHeld_SendsNothing()
    {
        _buffer.Flush();
        Assert.Empty(_sent);
    }

    private sealed class FakeRef(string name) : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "test")) / name;
        public override IActorRefProvider Provider => throw new NotSupportedException();
    }
}
