using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Threads;
using ActorPool.Workers;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace ActorPool.Routing;

/// <summary>The pool's workers as dispatch sees them.</summary>
/// <param name="Workers">Where chunks (<c>RunChunk</c>) are sent: a router that picks a worker.</param>
/// <param name="DropTarget">Where the <c>DropJob</c> of a job that ended early goes; <see cref="ActorRefs.Nobody"/> when the routing keeps no queue of its own.</param>
/// <param name="PrepareWork">Turns work into the form the workers take (the deployment's: as it is in process, encoded for other processes).</param>
internal sealed record WorkerGroup(IActorRef Workers, IActorRef DropTarget, Func<ChunkWork, ChunkWork> PrepareWork)
{
    /// <summary>
    /// Workers in this process, one per process slot, created from <paramref name="workerProps"/>
    /// as children of the router <see cref="PoolSettings.Routing"/> names, itself a child of <paramref name="context"/>.
    /// </summary>
    /// <param name="context">The pool's actor, the router's parent.</param>
    /// <param name="settings">The pool's settings.</param>
    /// <param name="workerProps">The props of one worker.</param>
    /// <param name="claims">What the workers have started of their batches, for the work-pulling router to take back the rest from a straggler.</param>
    /// <param name="tasks">The cancellation of the workers' tasks, for the work-pulling router to cancel the losing copy of a straggler.</param>
    public static WorkerGroup Local(IActorContext context, PoolSettings settings, Props workerProps, BatchClaims<IActorRef> claims, TaskCancellation tasks)
    {
        var supervision = WorkerSupervision.Create(context.GetLogger());
        // Known now, before the pool's constructor returns (the work-pulling router starts its workers
        // a moment later): a worker that fails is restarted in place, so the number holds.
        settings.Telemetry.WorkersChanged(settings.Processes);
        switch (settings.Routing)
        {
            case PoolRouting.RoundRobin:
                // Akka's pool routers route on the sender's thread: a chunk goes straight into a
                // worker's mailbox, with no hop through the router's own mailbox.
                var roundRobin = context.ActorOf(
                    workerProps.WithRouter(new RoundRobinPool(settings.Processes).WithSupervisorStrategy(supervision)), ClusterNames.Workers);
                return new WorkerGroup(roundRobin, ActorRefs.Nobody, AsItIs);
            case PoolRouting.SmallestMailbox:
                var smallestMailbox = context.ActorOf(
                    workerProps.WithRouter(new SmallestMailboxPool(settings.Processes).WithSupervisorStrategy(supervision)), ClusterNames.Workers);
                return new WorkerGroup(smallestMailbox, ActorRefs.Nobody, AsItIs);
            case PoolRouting.WorkPulling:
                // It routes on the thread of a chunk's sender and of a worker done with its batch (SenderThreadExecutor).
                var workPulling = context.ActorOf(
                    WorkPullingRouter.Props(workerProps, settings, claims, tasks).WithDispatcher(PoolSettings.RouterDispatcherId), ClusterNames.Workers);
                return new WorkerGroup(workPulling, workPulling, AsItIs);
            default:
                throw new ArgumentOutOfRangeException(nameof(settings), settings.Routing, "Unknown routing strategy.");
        }
    }

    /// <summary>
    /// The workers of the cluster's worker nodes, found and fed by a work-pulling router created as
    /// a child of <paramref name="context"/>; work reaches them in the form <paramref name="prepareWork"/> gives it,
    /// on <paramref name="links"/> to their nodes where it can (null: by remoting alone).
    /// </summary>
    public static WorkerGroup OfClusterNodes(IActorContext context, PoolSettings settings, Func<ChunkWork, ChunkWork> prepareWork, INodeLinks? links)
    {
        var router = context.ActorOf(WorkPullingRouter.Props(null, settings, claims: null, tasks: null, links), ClusterNames.Workers);
        return new WorkerGroup(router, router, prepareWork);
    }

    private static readonly Func<ChunkWork, ChunkWork> AsItIs = work => work;

    /// <summary>
    /// The form of <paramref name="work"/> this group's workers take: as it is in process; for other
    /// processes, encoded for the wire (or failed, if its arguments cannot be serialized).
    /// </summary>
    public ChunkWork Prepare(ChunkWork work) => PrepareWork(work);

    /// <summary>Sends a chunk to the workers; a chunk that could not be encoded is answered at once with its failure.</summary>
    /// <remarks>
    /// Sent without a sender: an actor keeps the sender of the last message it handled until the
    /// next one arrives, and a sender that is a job's reply address would keep the job's caller,
    /// and so its results, reachable after the job has ended. Replies go to <see cref="RunChunk.ReplyTo"/>.
    /// </remarks>
    public void Dispatch(RunChunk chunk)
    {
        if (chunk.Work.CannotBeSent)
            chunk.ReplyTo.Tell(chunk.Work.Execute(chunk.JobId, chunk.ChunkIndex, chunk.Offset), ActorRefs.NoSender);
        else
        {
            using (SenderThreadExecutor.RouteHere()) // the in-process work-pulling router routes it on this thread
                Workers.Tell(chunk, ActorRefs.NoSender);
        }
    }
}
