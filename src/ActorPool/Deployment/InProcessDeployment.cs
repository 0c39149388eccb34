using ActorPool.Configuration;
using ActorPool.Lifecycle;
using ActorPool.Protocol;
using ActorPool.Remote;
using ActorPool.Routing;
using ActorPool.Workers;
using Akka.Actor;

namespace ActorPool.Deployment;

/// <summary>
/// <see cref="PoolDeployment.InProcess"/>: one worker actor per process slot on a thread of its
/// own, in a system the pool creates, or in the one <see cref="PoolOptions.ActorSystem"/> names
/// (which then outlives the pool). Work is passed as it is: nothing is copied or encoded.
/// </summary>
internal sealed class InProcessDeployment : WorkerDeployment
{
    private InProcessDeployment(ActorSystem system, bool ownsSystem, string routerName)
        : base(system, ownsSystem, routerName)
    {
    }

    public static InProcessDeployment Create(PoolOptions options, string poolName)
    {
        if (options.ActorSystem is not { } system)
            return new InProcessDeployment(
                ActorSystem.Create(poolName, OwnSystemSetup.Create(OwnSystemConfig.Get().WithFallback(ReferenceConfig.Get()), options.SystemSetup)),
                ownsSystem: true, poolName);
        system.Settings.InjectTopLevelFallback(ReferenceConfig.Get());
        // Actors of a user's system may send the pool's messages elsewhere: they have a wire form.
        WireSetup.Register(system);
        return new InProcessDeployment(system, ownsSystem: false, poolName);
    }

    public override WorkerGroup CreateWorkers(IActorContext context, PoolSettings settings, CancellationToken stopping, JobRegistry pool, TaskCancellation tasks)
    {
        var claims = new BatchClaims<IActorRef>();
        return WorkerGroup.Local(context, settings,
            WorkerActor.Props(settings.Initializer, settings.MaxTasksPerChild, stopping, pool, _ => tasks, _ => claims, settings.AsyncItemsPerWorker,
                    settings.IdleSpin, board: settings.Telemetry.Board)
                .WithDispatcher(PoolSettings.WorkerDispatcherId),
            claims, tasks);
    }
}
