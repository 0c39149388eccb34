using ActorPool.Testing;

namespace ActorPool.Tests.Remote;

/// <summary>A two-node cluster shared by the tests of one class.</summary>
public sealed class TwoNodeCluster : IDisposable
{
    public TwoNodeCluster()
    {
        Seed = NodeProcess.Start(typeof(TwoNodeCluster).Assembly);
        Second = NodeProcess.Start(typeof(TwoNodeCluster).Assembly, Seed.Endpoint);
    }

    internal NodeProcess Seed { get; }

    internal NodeProcess Second { get; }

    public void Dispose()
    {
        Second.Dispose();
        Seed.Dispose();
    }
}
