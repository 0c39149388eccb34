using ActorPool.Configuration;
using ActorPool.Workers;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace ActorPool.Routing;

/// <summary>The pool's workers as dispatch sees them.</summary>
/// <param name="Workers">Where chunks (<c>RunChunk</c>) are sent: a router that picks a worker.</param>
/// <param name="DropTarget">Where a finished job's <c>DropJob</c> goes; <see cref="ActorRefs.Nobody"/> when the routing keeps no queue of its own.</param>
internal sealed record WorkerGroup(IActorRef Workers, IActorRef DropTarget)
{
    /// <summary>Creates the workers, one per process, and their router, as children of <paramref name="context"/>.</summary>
    public static WorkerGroup Create(IActorContext context, PoolSettings settings)
    {
        var workerProps = WorkerActor.Props(settings.Initializer, settings.MaxTasksPerChild)
            .WithDispatcher(PoolSettings.WorkerDispatcherId);
        var supervision = WorkerSupervision.Create(context.GetLogger());
        switch (settings.Routing)
        {
            case PoolRouting.RoundRobin:
                // Akka's pool routers route on the sender's thread: a chunk goes straight into a
                // worker's mailbox, with no hop through the router's own mailbox.
                var roundRobin = context.ActorOf(
                    workerProps.WithRouter(new RoundRobinPool(settings.Processes).WithSupervisorStrategy(supervision)), "workers");
                return new WorkerGroup(roundRobin, ActorRefs.Nobody);
            case PoolRouting.SmallestMailbox:
                var smallestMailbox = context.ActorOf(
                    workerProps.WithRouter(new SmallestMailboxPool(settings.Processes).WithSupervisorStrategy(supervision)), "workers");
                return new WorkerGroup(smallestMailbox, ActorRefs.Nobody);
            case PoolRouting.WorkPulling:
                var workPulling = context.ActorOf(WorkPullingRouter.Props(workerProps, settings), "workers");
                return new WorkerGroup(workPulling, workPulling);
            default:
                throw new ArgumentOutOfRangeException(nameof(settings), settings.Routing, "Unknown routing strategy.");
        }
    }
}
