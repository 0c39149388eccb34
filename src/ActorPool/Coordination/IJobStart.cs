using ActorPool.Routing;
using Akka.Actor;

namespace ActorPool.Coordination;

/// <summary>
/// A job with a coordinator (<c>Map</c>, <c>StarMap</c>, <c>IMap</c>, <c>IMapUnordered</c>, and the
/// <c>MapRequest</c> of an actor): a message the pool's router actor starts on receipt, creating
/// the coordinator as its child (so stopping the router stops it) and sending the work. Callers
/// only tell it to the router; nothing waits for an answer. A single task (<c>Apply</c>) has no
/// coordinator and goes straight to the workers (<see cref="ApplyJob"/>).
/// </summary>
internal interface IJobStart
{
    /// <summary>Starts the job, in the router actor whose <paramref name="context"/> this is; the context is not kept.</summary>
    void Start(IActorContext context, WorkerGroup group);

    /// <summary>
    /// <see cref="Start"/> threw (the router could not create the coordinator, say): fail the job
    /// with <paramref name="reason"/>, so that its caller does not wait for results that will never come.
    /// </summary>
    void Abort(Exception reason);

    /// <summary>The name of job <paramref name="jobId"/>'s coordinator, a child of the router, so that the router can find it again.</summary>
    static string CoordinatorName(long jobId) => $"job-{jobId}";
}
