using System.Collections.Concurrent;
using ActorPool.Protocol;
using ActorPool.Workers;
using Akka.Actor;

namespace ActorPool.Remote;

/// <summary>
/// The cancellation of the tasks a node host runs, one <see cref="TaskCancellation"/> per pool it
/// serves, each known by the pool's router (the sender of the pool's work and of its <see cref="CancelTasks"/>).
/// Shared by the node's host actor, which cancels, and its workers, which run the tasks.
/// </summary>
/// <remarks>
/// A pool whose driver has left is forgotten, but its router is remembered (the last
/// <see cref="RememberedGone"/>) with every job cancelled: its chunks still waiting in a worker's
/// mailbox are then skipped, rather than run for nobody under a fresh, uncancelled entry.
/// </remarks>
internal sealed class PoolsOnNode
{
    /// <summary>Routers of departed drivers remembered.</summary>
    public const int RememberedGone = 1024;

    private readonly ConcurrentDictionary<IActorRef, TaskCancellation> _pools = new(ActorRefComparer.Instance);
    private readonly ConcurrentDictionary<IActorRef, BatchClaims<IActorRef>> _claims = new(ActorRefComparer.Instance);
    private readonly ConcurrentDictionary<IActorRef, TaskCancellation> _gone = new(ActorRefComparer.Instance);
    private readonly ConcurrentQueue<IActorRef> _goneInOrder = new();
    private volatile bool _anyGone;

    /// <summary>The cancellation of the tasks of the pool whose router is <paramref name="router"/>.</summary>
    public TaskCancellation Of(IActorRef? router)
    {
        router ??= ActorRefs.Nobody;
        // DriverGone marks the pool gone, then sets _anyGone, then removes its entry; this reads in
        // the other order, so an entry made for a pool gone meanwhile is seen here and not kept.
        var cancellation = _pools.GetOrAdd(router, static _ => new TaskCancellation());
        if (!_anyGone || !_gone.TryGetValue(router, out var gone))
            return cancellation;
        _pools.TryRemove(new KeyValuePair<IActorRef, TaskCancellation>(router, cancellation));
        return gone;
    }

    /// <summary>Which chunks of the batches sent by <paramref name="router"/> this node's workers have started, for taking back those that have not.</summary>
    public BatchClaims<IActorRef> ClaimsOf(IActorRef? router) => _claims.GetOrAdd(router ?? ActorRefs.Nobody, static _ => new BatchClaims<IActorRef>());

    /// <summary>Cancels job <paramref name="jobId"/> of <paramref name="router"/>'s pool, or all of its jobs when null, or only its chunk <paramref name="chunkIndex"/> if given.</summary>
    public void Cancel(IActorRef router, long? jobId, long? chunkIndex = null)
    {
        if (jobId is { } job && chunkIndex is { } chunk)
            Of(router).CancelChunk(job, chunk);
        else if (jobId is { } id)
            Of(router).Cancel(id);
        else
            Of(router).CancelAll();
    }

    /// <summary>The driver at <paramref name="address"/> left the cluster: its pools' tasks are cancelled, and their entries kept only as gone.</summary>
    public void DriverGone(Address address)
    {
        foreach (var (router, cancellation) in _pools)
        {
            if (!router.Path.Address.Equals(address))
                continue;
            cancellation.CancelAll();
            _gone[router] = cancellation;
            _anyGone = true;
            _goneInOrder.Enqueue(router);
            _pools.TryRemove(router, out _);
        }
        foreach (var router in _claims.Keys.Where(router => router.Path.Address.Equals(address)))
            _claims.TryRemove(router, out _);
        while (_goneInOrder.Count > RememberedGone && _goneInOrder.TryDequeue(out var oldest))
            _gone.TryRemove(oldest, out _);
    }

    /// <summary>Pools whose tasks may still be asked for (for tests).</summary>
    internal int Count => _pools.Count;
}
