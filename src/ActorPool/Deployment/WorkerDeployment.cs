using ActorPool.Configuration;
using ActorPool.Lifecycle;
using ActorPool.Protocol;
using ActorPool.Routing;
using Akka.Actor;

namespace ActorPool.Deployment;

/// <summary>
/// Where a pool's workers run, one type per <see cref="PoolDeployment"/>: it builds the pool's
/// ActorSystem, creates the workers and their router, says what form work takes to reach them,
/// and starts and stops whatever lives outside the system (worker processes). The pool only picks
/// one (<see cref="For"/>) and calls it at each step of its life, in this order: <see cref="CreateWorkers"/>
/// (inside the pool's router actor), <see cref="Started"/>, <see cref="Stopping"/>,
/// <see cref="BeforeTerminateAsync"/> (when the pool owns its system), then, once the system's part
/// is over, <see cref="Stopped"/>.
/// </summary>
internal abstract class WorkerDeployment
{
    protected WorkerDeployment(ActorSystem system, bool ownsSystem, string routerName)
    {
        System = system;
        OwnsSystem = ownsSystem;
        RouterName = routerName;
    }

    /// <summary>The system the pool's actors run in.</summary>
    public ActorSystem System { get; }

    /// <summary>Whether the pool created <see cref="System"/>, and so terminates it when it stops.</summary>
    public bool OwnsSystem { get; }

    /// <summary>The name of the pool's router actor (nodes find a distributed pool's by name).</summary>
    public string RouterName { get; }

    /// <summary>Checks the options that concern this deployment and builds it, with its ActorSystem.</summary>
    /// <param name="options">The pool's options; the common ones are already checked.</param>
    /// <param name="poolName">A name unique in this process, for a system or actor of the pool's own.</param>
    public static WorkerDeployment For(PoolOptions options, string poolName) => options.Deployment switch
    {
        PoolDeployment.InProcess => InProcessDeployment.Create(options, poolName),
        PoolDeployment.LocalProcesses => new LocalProcessesDeployment(options),
        PoolDeployment.Cluster => new ClusterDeployment(options),
        _ => throw new ArgumentOutOfRangeException("options.Deployment", options.Deployment, "Unknown deployment."),
    };

    /// <summary>Creates the workers (or the router that finds them), as children of the pool's router actor.</summary>
    /// <param name="context">The pool's router actor.</param>
    /// <param name="settings">The pool's settings.</param>
    /// <param name="stopping">Cancelled when the pool terminates: workers stop between chunks of a batch.</param>
    /// <param name="pool">The pool's registry: its workers' tasks must not wait on it.</param>
    /// <param name="tasks">The cancellation of the pool's tasks that run in this process.</param>
    public abstract WorkerGroup CreateWorkers(IActorContext context, PoolSettings settings, CancellationToken stopping, JobRegistry pool, TaskCancellation tasks);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming <paramref name="paramName"/> if
    /// <paramref name="func"/> cannot reach this deployment's workers: where they are other
    /// processes, a closure or an instance method is refused now, with a message that says what to
    /// do (<paramref name="advice"/>, or a task function's advice when null), rather than failing later on a node.
    /// </summary>
    public virtual void CheckFunction(Delegate func, string paramName, string? advice = null)
    {
    }

    /// <summary>
    /// Checks a job's function as <see cref="CheckFunction"/> does, except that where the workers
    /// are other processes a closure whose captured variables can travel is accepted, and returns
    /// the function the job is to run: <paramref name="func"/> itself, or, for such a closure, a
    /// copy bound to the values its variables hold now (a later change does not reach the workers).
    /// </summary>
    public virtual TFunc FreezeFunction<TFunc>(TFunc func, string paramName, string? advice = null)
        where TFunc : Delegate
    {
        CheckFunction(func, paramName, advice);
        return func;
    }

    /// <summary>The pool's router runs and knows its workers: start what runs outside the system.</summary>
    public virtual void Started(WorkerGroup group)
    {
    }

    /// <summary>The pool is stopping: from now on a worker process that exits is no loss to repair.</summary>
    public virtual void Stopping()
    {
    }

    /// <summary>The pool's actors are gone and its own system is about to be terminated.</summary>
    public virtual Task BeforeTerminateAsync() => Task.CompletedTask;

    /// <summary>The pool's actors are gone (and its own system terminated): stop what runs outside it.</summary>
    public virtual void Stopped()
    {
    }
}
