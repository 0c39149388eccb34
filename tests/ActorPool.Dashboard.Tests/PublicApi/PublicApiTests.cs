namespace ActorPool.Dashboard.Tests.PublicApi;

/// <summary>
/// Pins the public API of ActorPool.Dashboard (see <see cref="ActorPool.Testing.PublicApi"/>): when this fails, read
/// the diff; if the change is intended, copy the "received" file the failure names over ActorPool.Dashboard.approved.txt.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MatchesTheApprovedFile()
    {
        if (ActorPool.Testing.PublicApi.Compare(typeof(ActorPool.Dashboard.PoolDashboard).Assembly) is { } difference)
            Assert.Fail(difference);
    }

    [Fact]
    public void PublicTypes_AreSealedOrStatic() => Assert.Empty(ActorPool.Testing.PublicApi.Unsealed(typeof(ActorPool.Dashboard.PoolDashboard).Assembly));
}
