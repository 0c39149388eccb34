namespace ActorPool.Tests.PublicApi;

/// <summary>
/// Pins the public API of ActorPool (see <see cref="Testing.PublicApi"/>): when this fails, read the
/// diff; if the change is intended, copy the "received" file the failure names over ActorPool.approved.txt.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MatchesTheApprovedFile()
    {
        if (Testing.PublicApi.Compare(typeof(Pool).Assembly) is { } difference)
            Assert.Fail(difference);
    }

    [Fact]
    public void PublicTypes_AreSealedOrEnums() => Assert.Empty(Testing.PublicApi.Unsealed(typeof(Pool).Assembly));
}
