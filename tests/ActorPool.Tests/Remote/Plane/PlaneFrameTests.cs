using ActorPool.Remote.Plane;
using CsCheck;

namespace ActorPool.Tests.Remote.Plane;

/// <summary>The data plane's framing: what is written is read back whole, and what a peer writes that breaks the rules ends the read, before a byte is allocated for it.</summary>
public sealed class PlaneFrameTests
{
    private const long MaxFrame = 1 << 20;

    [Fact]
    public void Read_FramesWrittenOneAfterAnother_ComeBackWholeAndInOrder()
    {
        using var stream = new MemoryStream();
        PlaneFrame.Write(stream, 3, "B", [1, 2, 3]);
        PlaneFrame.Write(stream, PlaneFrame.NodeParty, "T", []);
        PlaneFrame.Write(stream, PlaneFrame.HelloParty, PlaneFrame.HelloManifest, new byte[70_000]);
        stream.Position = 0;

        var first = PlaneFrame.Read(stream, MaxFrame)!.Value;
        var second = PlaneFrame.Read(stream, MaxFrame)!.Value;
        var third = PlaneFrame.Read(stream, MaxFrame)!.Value;

        Assert.Equal((3, "B"), (first.Party, first.Manifest));
        Assert.Equal(new byte[] { 1, 2, 3 }, first.Payload);
        Assert.Equal((PlaneFrame.NodeParty, "T", 0), (second.Party, second.Manifest, second.Payload.Length));
        Assert.Equal((PlaneFrame.HelloParty, PlaneFrame.HelloManifest, 70_000), (third.Party, third.Manifest, third.Payload.Length));
        Assert.Null(PlaneFrame.Read(stream, MaxFrame)); // ended between frames: a clean end
    }

    [Fact]
    public void Read_LengthPastTheLimit_EndsTheReadWithoutReadingOn()
    {
        using var stream = new MemoryStream();
        PlaneFrame.Write(stream, 0, "B", new byte[2000]);
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => PlaneFrame.Read(stream, maxFrame: 1000));

        Assert.Contains("maximum-frame-size", error.Message);
        Assert.Equal(9, stream.Position); // the header only: the frame's bytes were not taken
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0 })] // a length of 0
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 1 })] // a negative length
    [InlineData(new byte[] { 6, 0, 0, 0, 0, 0, 0, 0, 0 })] // an empty manifest
    [InlineData(new byte[] { 6, 0, 0, 0, 0, 0, 0, 0, 2, 65 })] // a manifest longer than the frame
    [InlineData(new byte[] { 7, 0, 0, 0, 0, 0, 0, 0, 2, 0xC3, 0xA9 })] // a manifest that is not ASCII
    public void Read_MalformedHeader_IsInvalidData(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => PlaneFrame.Read(new MemoryStream(bytes), MaxFrame));

    [Fact]
    public void Read_StreamEndsInsideAFrame_IsEndOfStream()
    {
        using var stream = new MemoryStream();
        PlaneFrame.Write(stream, 0, "B", new byte[100]);
        var cut = new MemoryStream(stream.ToArray()[..50]);

        Assert.Throws<EndOfStreamException>(() => PlaneFrame.Read(cut, MaxFrame));
    }

    [Fact]
    public void Read_LengthClaimedButNotSent_AllocatesAsTheBytesArriveNotAsClaimed()
    {
        var header = new byte[] { 0, 0, 0, 2, 0, 0, 0, 0, 1, (byte)'B', 1, 2, 3 }; // 32 MiB claimed, 3 bytes sent
        var before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Throws<EndOfStreamException>(() => PlaneFrame.Read(new MemoryStream(header), maxFrame: 64 << 20));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "Reading allocated the length claimed, not the bytes sent.");
    }

    [Fact]
    public void ReadHello_AFrameOverTheHellosLimitOrNotAHello_IsInvalidData()
    {
        using var big = new MemoryStream();
        PlaneFrame.Write(big, PlaneFrame.HelloParty, PlaneFrame.HelloManifest, new byte[PlaneFrame.MaxHello]);
        big.Position = 0;
        using var other = new MemoryStream();
        PlaneFrame.Write(other, 0, "B", [1]);
        other.Position = 0;
        using var hello = new MemoryStream();
        PlaneFrame.Write(hello, PlaneFrame.HelloParty, PlaneFrame.HelloManifest, "akka.tcp://a@h:1/user/r"u8);
        hello.Position = 0;

        Assert.Throws<InvalidDataException>(() => PlaneFrame.ReadHello(big));
        Assert.Throws<InvalidDataException>(() => PlaneFrame.ReadHello(other));
        Assert.Equal("akka.tcp://a@h:1/user/r", PlaneFrame.ReadHello(hello));
    }

    [Theory]
    [InlineData("")]
    [InlineData("é")]
    public void Write_ManifestNotAscii_IsRefusedNamingIt(string manifest) =>
        Assert.Equal("manifest", Assert.Throws<ArgumentException>(() => PlaneFrame.Write(Stream.Null, 0, manifest, [])).ParamName);

    [Fact]
    public void Read_AnyBytesAtAll_ReadFramesOrFailsAsTheRulesSay()
    {
        // Random bytes, and valid frames with bytes changed: each read gives a frame within the
        // limit, a clean end, or one of the two exceptions a connection ends on; never another.
        var valid = new MemoryStream();
        PlaneFrame.Write(valid, 1, "D", new byte[40]);
        PlaneFrame.Write(valid, PlaneFrame.NodeParty, "K", new byte[10]);
        var template = valid.ToArray();
        var inputs = Gen.OneOf(
            Gen.Byte.Array[0, 200],
            Gen.Select(Gen.Int[0, template.Length - 1].Array[1, 4], Gen.Byte.Array[4], (at, values) =>
            {
                var bytes = (byte[])template.Clone();
                for (var i = 0; i < at.Length; i++)
                    bytes[at[i]] = values[i];
                return bytes;
            }));
        inputs.Sample(bytes =>
        {
            var stream = new MemoryStream(bytes);
            try
            {
                while (PlaneFrame.Read(stream, maxFrame: 100) is { } frame)
                    Assert.True(frame.Payload.Length <= 100);
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
            {
            }
        }, iter: 20_000);
    }
}
