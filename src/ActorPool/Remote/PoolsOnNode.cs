using System.Collections.Concurrent;
using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Remote;

/// <summary>
/// The cancellation of the tasks a node host runs, one <see cref="TaskCancellation"/> per pool it
/// serves, each known by the pool's router (the sender of the pool's work and of its <see cref="CancelTasks"/>).
/// Shared by the node's host actor, which cancels, and its workers, which run the tasks.
/// </summary>
internal sealed class PoolsOnNode
{
    private readonly ConcurrentDictionary<IActorRef, TaskCancellation> _pools = new();

    /// <summary>The cancellation of the tasks of the pool whose router is <paramref name="router"/>.</summary>
    public TaskCancellation Of(IActorRef? router) => _pools.GetOrAdd(router ?? ActorRefs.Nobody, static _ => new TaskCancellation());

    /// <summary>Cancels job <paramref name="jobId"/> of <paramref name="router"/>'s pool, or all of its jobs when null.</summary>
    public void Cancel(IActorRef router, long? jobId)
    {
        if (jobId is { } id)
            Of(router).Cancel(id);
        else
            Of(router).CancelAll();
    }

    /// <summary>The driver at <paramref name="address"/> left the cluster: its pools' tasks are cancelled and forgotten.</summary>
    public void DriverGone(Address address)
    {
        foreach (var (router, cancellation) in _pools)
        {
            if (router.Path.Address.Equals(address) && _pools.TryRemove(router, out _))
                cancellation.CancelAll();
        }
    }
}
