using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;

namespace ActorPool;

/// <summary>Options for a <see cref="Pool"/>. Tuning knobs beyond these live in the <c>actorpool</c> section of the ActorSystem's configuration (see <c>reference.conf</c>).</summary>
public sealed class PoolOptions
{
    /// <summary>
    /// The pool's name (<see cref="Pool.Name"/>): every metric the pool records carries it in the tag
    /// <c>actorpool.pool</c>, and its traces too. Default: null, for <c>actorpool-</c> and a number
    /// that counts the pools of the process. Must not be empty or white space when set.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>Number of workers, each with a thread of its own. Default: <see cref="Environment.ProcessorCount"/>. Must be at least 1.</summary>
    public int Processes { get; init; } = Environment.ProcessorCount;

    /// <summary>How chunks are assigned to workers. Default: <see cref="PoolRouting.WorkPulling"/>.</summary>
    public PoolRouting Routing { get; init; } = PoolRouting.WorkPulling;

    /// <summary>
    /// Runs once in each worker, on the worker's own thread, before its first task, and again in
    /// every worker that replaces one (<see cref="MaxTasksPerChild"/>), and on each thread that runs
    /// a worker's tasks with a <see cref="JobOptions.TaskTimeout"/> (among them those that take over
    /// from a thread a task left hanging). It runs outside any timeout. In a
    /// distributed pool it runs in every worker on every node, before the pool's first task there,
    /// so it must travel, as a task's function must (a static method, or a lambda whose captured
    /// variables can travel, their values read when the pool is made). If it throws, that worker's
    /// tasks of the pool fail with its exception. Default: null (none).
    /// </summary>
    public Action? Initializer { get; init; }

    /// <summary>
    /// Tasks a worker runs before it is replaced by a fresh one (a chunk is one task), as CPython's
    /// <c>maxtasksperchild</c>: in process and on a cluster node the worker is replaced (its
    /// initializer runs again; in process on the same thread, whose thread-static state stays); with
    /// <see cref="PoolDeployment.LocalProcesses"/> its process is:
    /// it leaves, exits, and the pool starts another. While it is set, Map's default chunk size is
    /// CPython's, ceil(n / (4 × <see cref="Processes"/>)), so that a limit chosen for CPython
    /// replaces workers as often here. Default: null, workers live as long as the pool. Must be at
    /// least 1 when set.
    /// </summary>
    public int? MaxTasksPerChild { get; init; }

    /// <summary>Where the workers run. Default: <see cref="PoolDeployment.InProcess"/>.</summary>
    public PoolDeployment Deployment { get; init; } = PoolDeployment.InProcess;

    /// <summary>
    /// For <see cref="PoolDeployment.Cluster"/>: the cluster's seed nodes, as <c>"host:port"</c>
    /// (for instance <c>"127.0.0.1:4053"</c>, a node started with <c>--port 4053</c>). Required
    /// there, ignored otherwise. Default: empty.
    /// </summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>For distributed deployments: the address this process listens on for its workers. Default: <c>127.0.0.1</c>.</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>For distributed deployments: the port this process listens on. Default: 0, a free port.</summary>
    public int Port { get; init; }

    /// <summary>
    /// For <see cref="PoolDeployment.Cluster"/>: the certificate, with its private key, that the pool
    /// presents; by default the only one it trusts. With it every connection is TLS with mutual
    /// authentication: a peer must present this certificate or one of <see cref="TrustedThumbprints"/>,
    /// within its validity (no trusted chain is needed: a self-signed certificate the whole cluster
    /// shares is the normal case; nodes take it with <c>--certificate</c>). Others never join, never
    /// receive work and never submit any; each is logged once. The pool refuses at construction a
    /// certificate without its private key or outside its validity. Default: null, plain TCP, which
    /// only a <see cref="Hostname"/> on loopback or <see cref="AllowInsecure"/> allows.
    /// <see cref="PoolDeployment.LocalProcesses"/> pools ignore it: they always use TLS, with a
    /// certificate of their own made at start that they give only to their worker processes.
    /// </summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>
    /// With a <see cref="Certificate"/>: thumbprints (<see cref="X509Certificate2.Thumbprint"/>,
    /// hexadecimal, any case) of further certificates to accept, to rotate the cluster's certificate
    /// without stopping it (nodes take them with <c>--trust</c>). Default: empty.
    /// </summary>
    public IReadOnlyList<string> TrustedThumbprints { get; init; } = [];

    /// <summary>
    /// For <see cref="PoolDeployment.Cluster"/> without a <see cref="Certificate"/>: allows plain TCP
    /// on a <see cref="Hostname"/> that is not a loopback address (127.0.0.0/8, <c>::1</c>,
    /// <c>localhost</c>), for a network where everyone who can reach the port is trusted. Without it
    /// such a pool throws an <see cref="ArgumentException"/> at construction. Default: false.
    /// </summary>
    public bool AllowInsecure { get; init; }

    /// <summary>For <see cref="PoolDeployment.Cluster"/>: the role of the nodes that run work. Default: <c>worker</c>, as the node host's <c>--role</c>.</summary>
    public string WorkerRole { get; init; } = "worker";

    /// <summary>
    /// For distributed deployments: how many workers a task may be in flight on when they die
    /// before it fails with <see cref="WorkerLostException"/>. Default: null, which is
    /// <c>actorpool.remote.max-worker-losses</c> (3).
    /// </summary>
    public int? MaxWorkerLosses { get; init; }

    /// <summary>
    /// For distributed deployments: how long pending work waits for a worker when there is none,
    /// before it fails with a <see cref="TimeoutException"/>. Default: null, which is
    /// <c>actorpool.remote.no-worker-timeout</c> (60 s).
    /// </summary>
    public TimeSpan? NoWorkerTimeout { get; init; }

    /// <summary>
    /// For <see cref="PoolDeployment.LocalProcesses"/>: the node host program
    /// (<c>ActorPool.Node.dll</c>) to start. Default: null, which looks for it next to the application:
    /// <c>ActorPool.Node.dll</c> itself, else <c>actorpool-node/ActorPool.Node.dll</c>, where the
    /// ActorPool package puts it when the application builds or publishes.
    /// </summary>
    public string? NodeHostPath { get; init; }

    /// <summary>
    /// An ActorSystem to run the pool in. Default: null, the pool creates a system of its own and
    /// shuts it down when it is joined. A system passed here is left running: disposing the pool
    /// stops only the pool's own actors.
    /// </summary>
    public ActorSystem? ActorSystem { get => _actorSystem; init => _actorSystem = value; }

    /// <summary>
    /// More setup for the ActorSystem the pool creates itself (when <see cref="ActorSystem"/> is
    /// null, and always for distributed deployments): the <c>Config</c> of its
    /// <see cref="BootstrapSetup"/>, if any, goes over the pool's own settings, and every other setup
    /// is passed as it is. ActorPool.Hosting uses it to send the logs of such a system to
    /// <c>Microsoft.Extensions.Logging</c>. Ignored when <see cref="ActorSystem"/> is set.
    /// Default: null (none).
    /// </summary>
    public ActorSystemSetup? SystemSetup { get => _systemSetup; init => _systemSetup = value; }

    private ActorSystem? _actorSystem;
    private ActorSystemSetup? _systemSetup;

    /// <summary>A copy of these options that runs the pool in <paramref name="system"/>, or in a system of its own made with <paramref name="setup"/>.</summary>
    internal PoolOptions WithSystem(ActorSystem? system, ActorSystemSetup? setup)
    {
        var copy = (PoolOptions)MemberwiseClone(); // every option, those added later too
        copy._actorSystem = system;
        copy._systemSetup = setup;
        return copy;
    }

    /// <summary>
    /// An SQLite file (created if missing) where durable jobs (<see cref="JobOptions.JobId"/>) record
    /// their results as they complete, so that a job whose driver died resumes where it was when the
    /// same program runs again. It belongs to one live pool at a time: a second pool, in this process
    /// or another, fails at construction with an <see cref="IOException"/> naming it; a killed pool
    /// leaves nothing that stops its restart. Default: null (no journal).
    /// </summary>
    public string? JournalPath { get; init; }
}
