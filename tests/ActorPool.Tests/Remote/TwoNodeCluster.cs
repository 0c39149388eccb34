using ActorPool.Testing;

namespace ActorPool.Tests.Remote;

/// <summary>
/// A two-node cluster shared by the tests of one class. A node host exits when its node is removed
/// from the cluster, which a long stall of this machine can cause (failure detection downs a node
/// that stopped answering): <see cref="SeedEndpoint"/> then starts a fresh pair, so one stall fails
/// at most the tests that ran across it, not every later test of the class after a long timeout.
/// </summary>
public class TwoNodeCluster : IDisposable
{
    private readonly object _gate = new();
    private NodeProcess? _seed;
    private NodeProcess? _second;

    /// <summary>The seed node's "host:port", once both nodes run (a new pair if either had exited).</summary>
    public string SeedEndpoint => Seed.Endpoint;

    /// <summary>The seed node, once both nodes run (a new pair if either had exited).</summary>
    public NodeProcess Seed
    {
        get
        {
            lock (_gate)
            {
                if (_seed is null || _second is null || _seed.HasExited || _second.HasExited)
                {
                    Stop();
                    _seed = StartNode();
                    _second = StartNode(_seed.Endpoint);
                }
                return _seed;
            }
        }
    }

    /// <summary>The node that joined the seed.</summary>
    public NodeProcess Second
    {
        get
        {
            lock (_gate)
            {
                _ = Seed;
                return _second!;
            }
        }
    }

    /// <summary>Starts a node of this cluster's kind that joins <paramref name="seed"/> (none: a cluster of its own); the caller stops it.</summary>
    public virtual NodeProcess StartNode(string? seed = null) => NodeProcess.Start(typeof(TwoNodeCluster).Assembly, seed);

    private void Stop()
    {
        _second?.Dispose();
        _seed?.Dispose();
        _second = _seed = null;
    }

    public virtual void Dispose()
    {
        lock (_gate)
            Stop();
    }
}
