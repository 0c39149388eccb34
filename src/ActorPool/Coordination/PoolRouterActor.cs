using ActorPool.Configuration;
using ActorPool.Deployment;
using ActorPool.Lifecycle;
using ActorPool.Protocol;
using ActorPool.Routing;
using Akka.Actor;

namespace ActorPool.Coordination;

/// <summary>
/// The pool's actor, the one <see cref="Pool.Router"/> names. Its children are the job coordinators
/// and the router that picks a worker for each chunk (<see cref="WorkerGroup"/>: in process, the
/// workers' parent), so stopping it stops the whole pool. Every job with a coordinator
/// enters here the same way, as an <see cref="IJobStart"/>: told by the pool's methods, or made
/// from a <see cref="MapRequest{T, TResult}"/> another actor sent. An <see cref="ApplyRequest{TResult}"/>
/// is checked and registered here too, and its single task goes straight to the workers.
/// </summary>
internal sealed class PoolRouterActor : UntypedActor
{
    private readonly WorkerDeployment _deployment;
    private readonly PoolSettings _settings;
    private readonly JobRegistry _registry;
    private readonly CancellationToken _stopping;
    private readonly TaskCancellation _tasks = new(); // of the workers in this process, if any
    private CancellationTokenRegistration _onStopping;
    private WorkerGroup _group = null!; // set in PreStart, before any message

    public PoolRouterActor(WorkerDeployment deployment, PoolSettings settings, JobRegistry registry, CancellationToken stopping)
    {
        _deployment = deployment;
        _settings = settings;
        _registry = registry;
        _stopping = stopping;
    }

    public static Props Props(WorkerDeployment deployment, PoolSettings settings, JobRegistry registry, CancellationToken stopping) =>
        Akka.Actor.Props.Create(() => new PoolRouterActor(deployment, settings, registry, stopping));

    protected override void PreStart()
    {
        // A terminated pool cancels every task it runs here; nodes hear it from the work-pulling router as it stops.
        _onStopping = _stopping.Register(_tasks.CancelAll);
        _group = _deployment.CreateWorkers(Context, _settings, _stopping, _registry, _tasks);
    }

    protected override void PostStop()
    {
        _onStopping.Dispose();
        _tasks.CancelAll();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IJobStart job:
                Start(job);
                break;
            case IPoolRequest request:
                if (request.Accept(new RequestScope(_group, _registry, _settings, _deployment, Context.System), Sender) is { } requested)
                    Start(requested);
                break;
            case JobCancelled cancelled:
                // The coordinator, if the job has one; its work queued in the work-pulling router,
                // and its tasks running or waiting in this process and (told by that router) on nodes.
                var coordinator = Context.Child(IJobStart.CoordinatorName(cancelled.JobId));
                if (!coordinator.IsNobody())
                    Context.Stop(coordinator);
                _tasks.Cancel(cancelled.JobId);
                _group.DropTarget.Tell(new DropJob(cancelled.JobId));
                break;
            case GetWorkers:
                Sender.Tell(_group);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// Starts a job; if that throws, the job fails rather than the router (whose restart would
    /// stop the workers and leave the job registered, its caller and <c>Join</c> waiting).
    /// </summary>
    private void Start(IJobStart job)
    {
        try
        {
            job.Start(Context, _group);
        }
        catch (Exception ex)
        {
            job.Abort(ex);
        }
    }
}
