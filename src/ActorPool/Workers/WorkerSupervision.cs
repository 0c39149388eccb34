using Akka.Actor;
using Akka.Event;

namespace ActorPool.Workers;

/// <summary>How the parent of the workers (an Akka router, the work-pulling router, a node) supervises them.</summary>
internal static class WorkerSupervision
{
    /// <summary>
    /// Restart a worker whatever it threw. <see cref="WorkerRecycle"/> is routine and not logged;
    /// anything else is a bug (user code never fails the actor) and is logged as an error. Either
    /// way the worker hands back the unrun chunks of its batch before the restart.
    /// </summary>
    public static SupervisorStrategy Create(ILoggingAdapter log) =>
        new OneForOneStrategy(ex =>
        {
            if (ex is not WorkerRecycle)
                log.Error(ex, "An ActorPool worker failed and is restarted.");
            return Directive.Restart;
        }, loggingEnabled: false);
}
