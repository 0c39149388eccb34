using ActorPool.Testing;

namespace ActorPool.Tests.Remote;

/// <summary>
/// A two-node cluster shared by the tests of one class. A node host exits when its node is removed
/// from the cluster, which a long stall of this machine can cause (failure detection downs a node
/// that stopped answering): <see cref="SeedEndpoint"/> then starts a fresh pair, so one stall fails
/// at most the tests that ran across it, not every later test of the class after a long timeout.
/// </summary>
public sealed class TwoNodeCluster : IDisposable
{
    private readonly object _gate = new();
    private NodeProcess? _seed;
    private NodeProcess? _second;

    /// <summary>The seed node's "host:port", once both nodes run (a new pair if either had exited).</summary>
    public string SeedEndpoint
    {
        get
        {
            lock (_gate)
            {
                if (_seed is null || _second is null || _seed.HasExited || _second.HasExited)
                {
                    Stop();
                    _seed = NodeProcess.Start(typeof(TwoNodeCluster).Assembly);
                    _second = NodeProcess.Start(typeof(TwoNodeCluster).Assembly, _seed.Endpoint);
                }
                return _seed.Endpoint;
            }
        }
    }

    private void Stop()
    {
        _second?.Dispose();
        _seed?.Dispose();
        _second = _seed = null;
    }

    public void Dispose()
    {
        lock (_gate)
            Stop();
    }
}
