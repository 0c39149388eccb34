namespace ActorPool;

/// <summary>Where a pool's workers run.</summary>
public enum PoolDeployment
{
    /// <summary>The default: worker actors in this process, one dedicated thread each.</summary>
    InProcess,

    /// <summary>
    /// <see cref="PoolOptions.Processes"/> worker processes of the pool's own on 127.0.0.1, each a
    /// node host with one worker, like Python's process pool, with crash isolation. A process that
    /// exits is seen at once, its work is sent again, and a replacement is started.
    /// </summary>
    LocalProcesses,

    /// <summary>
    /// The pool joins an Akka cluster through <see cref="PoolOptions.SeedNodes"/> and sends work to
    /// every node with the worker role (<see cref="PoolOptions.WorkerRole"/>), including nodes
    /// that join in the middle of a job. Work on a node that dies is sent again.
    /// </summary>
    Cluster,
}
