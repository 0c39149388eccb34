using ActorPool.Lifecycle;
using Akka.Actor;

namespace ActorPool.Coordination;

/// <summary>
/// A job requested by another actor: the registry's view of it, and the one place its single
/// reply (a result, or a <see cref="Status.Failure"/>) is sent from.
/// </summary>
internal sealed class ActorRequestJob : IJob
{
    private readonly IActorRef _requester;
    private readonly JobRegistry _registry;
    private long _id;
    private int _replied;

    private ActorRequestJob(IActorRef requester, JobRegistry registry, JobTally tally)
    {
        _requester = requester;
        _registry = registry;
        Tally = tally;
    }

    /// <summary>Registers a job for <paramref name="requester"/>, counted in <paramref name="tally"/>; when the pool is not running, tells it so and returns null.</summary>
    public static ActorRequestJob? TryStart(JobRegistry registry, IActorRef requester, JobTally tally)
    {
        var job = new ActorRequestJob(requester, registry, tally);
        if (!tally.TryRegister(registry, job, out job._id))
        {
            requester.Tell(new Status.Failure(registry.NotRunning()));
            return null;
        }
        return job;
    }

    public long Id => _id;

    /// <summary>The job's counts.</summary>
    public JobTally Tally { get; }

    /// <summary>Sends the reply; only the first call has any effect.</summary>
    public void Reply(object message)
    {
        if (Interlocked.Exchange(ref _replied, 1) != 0)
            return;
        var error = (message as Status.Failure)?.Cause;
        Tally.End(JobTally.StateOf(error), error);
        try
        {
            _requester.Tell(message);
        }
        finally
        {
            _registry.Complete(_id);
        }
    }

    public void Abort(Exception reason) => Reply(new Status.Failure(reason));

    public void OnJoin()
    {
    }
}
