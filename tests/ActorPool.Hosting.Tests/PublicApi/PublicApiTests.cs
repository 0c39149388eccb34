namespace ActorPool.Hosting.Tests.PublicApi;

/// <summary>
/// Pins the public API of ActorPool.Hosting (see <see cref="ActorPool.Testing.PublicApi"/>): when this fails, read
/// the diff; if the change is intended, copy the "received" file the failure names over ActorPool.Hosting.approved.txt.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MatchesTheApprovedFile()
    {
        if (ActorPool.Testing.PublicApi.Compare(typeof(Microsoft.Extensions.DependencyInjection.ActorPoolServiceCollectionExtensions).Assembly) is { } difference)
            Assert.Fail(difference);
    }

    [Fact]
    public void PublicTypes_AreSealedOrStatic() => Assert.Empty(ActorPool.Testing.PublicApi.Unsealed(typeof(Microsoft.Extensions.DependencyInjection.ActorPoolServiceCollectionExtensions).Assembly));
}
