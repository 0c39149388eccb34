using Akka.Actor;

namespace ActorPool;

/// <summary>Options for a <see cref="Pool"/>. Tuning knobs beyond these live in the <c>actorpool</c> section of the ActorSystem's configuration (see <c>reference.conf</c>).</summary>
public sealed class PoolOptions
{
    /// <summary>Number of workers, each with a thread of its own. Default: <see cref="Environment.ProcessorCount"/>. Must be at least 1.</summary>
    public int Processes { get; init; } = Environment.ProcessorCount;

    /// <summary>How chunks are assigned to workers. Default: <see cref="PoolRouting.WorkPulling"/>.</summary>
    public PoolRouting Routing { get; init; } = PoolRouting.WorkPulling;

    /// <summary>
    /// Runs once in each worker, on the worker's own thread, before its first task, and again in
    /// every worker that replaces one (<see cref="MaxTasksPerChild"/>). If it throws, that worker's
    /// tasks fail with its exception. Default: null (none).
    /// </summary>
    public Action? Initializer { get; init; }

    /// <summary>
    /// Tasks a worker runs before it is replaced by a fresh one (a chunk is one task). Default:
    /// null, workers live as long as the pool. Must be at least 1 when set.
    /// </summary>
    public int? MaxTasksPerChild { get; init; }

    /// <summary>
    /// An ActorSystem to run the pool in. Default: null, the pool creates a system of its own and
    /// shuts it down when it is joined. A system passed here is left running: disposing the pool
    /// stops only the pool's own actors.
    /// </summary>
    public ActorSystem? ActorSystem { get; init; }
}
