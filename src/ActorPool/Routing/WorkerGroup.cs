using ActorPool.Configuration;
using ActorPool.Lifecycle;
using ActorPool.Protocol;
using ActorPool.Remote;
using ActorPool.Workers;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace ActorPool.Routing;

/// <summary>The pool's workers as dispatch sees them.</summary>
/// <param name="Workers">Where chunks (<c>RunChunk</c>) are sent: a router that picks a worker.</param>
/// <param name="DropTarget">Where a finished job's <c>DropJob</c> goes; <see cref="ActorRefs.Nobody"/> when the routing keeps no queue of its own.</param>
/// <param name="Remote">Whether workers are in other processes, so work must be encoded for the wire.</param>
internal sealed record WorkerGroup(IActorRef Workers, IActorRef DropTarget, bool Remote)
{
    /// <summary>Creates the workers, one per process, and their router, as children of <paramref name="context"/>.</summary>
    /// <param name="context">The pool's router actor.</param>
    /// <param name="settings">The pool's settings.</param>
    /// <param name="stopping">Cancelled when the pool terminates: workers stop between chunks of a batch.</param>
    /// <param name="pool">The pool's registry: its workers' tasks must not wait on it.</param>
    public static WorkerGroup Create(IActorContext context, PoolSettings settings, CancellationToken stopping, JobRegistry pool)
    {
        if (settings.Deployment != PoolDeployment.InProcess)
        {
            var remote = context.ActorOf(WorkPullingRouter.Props(null, settings), WorkPullingRouter.Name);
            return new WorkerGroup(remote, remote, Remote: true);
        }
        var workerProps = WorkerActor.Props(settings.Initializer, settings.MaxTasksPerChild, stopping, pool)
            .WithDispatcher(PoolSettings.WorkerDispatcherId);
        var supervision = WorkerSupervision.Create(context.GetLogger());
        switch (settings.Routing)
        {
            case PoolRouting.RoundRobin:
                // Akka's pool routers route on the sender's thread: a chunk goes straight into a
                // worker's mailbox, with no hop through the router's own mailbox.
                var roundRobin = context.ActorOf(
                    workerProps.WithRouter(new RoundRobinPool(settings.Processes).WithSupervisorStrategy(supervision)), WorkPullingRouter.Name);
                return new WorkerGroup(roundRobin, ActorRefs.Nobody, Remote: false);
            case PoolRouting.SmallestMailbox:
                var smallestMailbox = context.ActorOf(
                    workerProps.WithRouter(new SmallestMailboxPool(settings.Processes).WithSupervisorStrategy(supervision)), WorkPullingRouter.Name);
                return new WorkerGroup(smallestMailbox, ActorRefs.Nobody, Remote: false);
            case PoolRouting.WorkPulling:
                var workPulling = context.ActorOf(WorkPullingRouter.Props(workerProps, settings), WorkPullingRouter.Name);
                return new WorkerGroup(workPulling, workPulling, Remote: false);
            default:
                throw new ArgumentOutOfRangeException(nameof(settings), settings.Routing, "Unknown routing strategy.");
        }
    }

    /// <summary>
    /// The form of <paramref name="work"/> this group's workers take: as it is in process; for other
    /// processes, encoded for the wire (or failed, if its arguments cannot be serialized).
    /// </summary>
    public ChunkWork Prepare(ChunkWork work) => Remote ? EncodedWork.Encode(work) : work;

    /// <summary>Sends a chunk to the workers; a chunk that could not be encoded is answered at once with its failure.</summary>
    /// <remarks>
    /// Sent without a sender: an actor keeps the sender of the last message it handled until the
    /// next one arrives, and a sender that is a job's reply address would keep the job's caller,
    /// and so its results, reachable after the job has ended. Replies go to <see cref="RunChunk.ReplyTo"/>.
    /// </remarks>
    public void Dispatch(RunChunk chunk)
    {
        if (chunk.Work is FailedWork)
            chunk.ReplyTo.Tell(chunk.Work.Execute(chunk.JobId, chunk.ChunkIndex, chunk.Offset), ActorRefs.NoSender);
        else
            Workers.Tell(chunk, ActorRefs.NoSender);
    }
}
