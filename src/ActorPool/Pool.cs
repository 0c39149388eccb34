using ActorPool.Configuration;
using ActorPool.Coordination;
using ActorPool.Deployment;
using ActorPool.Journal;
using ActorPool.Lifecycle;
using ActorPool.Observability;
using ActorPool.Protocol;
using ActorPool.Remote;
using ActorPool.Routing;
using Akka.Actor;
using Akka.Event;

namespace ActorPool;

/// <summary>
/// A pool of workers that runs functions in parallel: Python's <c>multiprocessing.Pool</c> on
/// Akka.NET. Workers are actors, one per process slot, each running user code on a thread of its
/// own; a router actor hands them chunks of work and a coordinator actor per job puts the results
/// back together.
/// </summary>
/// <remarks>
/// <para>Lifecycle, as in CPython: Running, then <see cref="Close"/> (no new work; submitted work
/// finishes) or <see cref="Terminate"/> (no new work; outstanding results fail with
/// <see cref="PoolTerminatedException"/>), then <see cref="Join"/> waits for the end.</para>
/// <para><see cref="Dispose"/> and <see cref="DisposeAsync"/> close and join: they let submitted
/// work finish. This differs from Python's <c>with Pool() as p:</c>, which terminates.</para>
/// <para>If the ActorSystem under the pool stops (SIGTERM, a host stopping, a call to
/// <c>ActorSystem.Terminate</c> or <c>CoordinatedShutdown.Run</c>), the pool terminates: every
/// outstanding result fails at once with <see cref="PoolTerminatedException"/>, new submissions
/// are refused, and <see cref="Join"/> and <see cref="Dispose"/> return.</para>
/// <para>A task or callback must not wait on its own pool: <c>Map</c>, <c>StarMap</c>,
/// <c>Apply</c>, <c>Join</c>, <c>Dispose</c>, <c>foreach</c> over an <c>IMap</c>, and <c>Get</c>,
/// <c>Wait</c> or <c>Next</c> without a timeout on something not ready yet. Such a wait may never
/// end (it can need the very worker or callback that waits), so it throws
/// <see cref="InvalidOperationException"/> at once. Submitting without waiting, and waiting with
/// a timeout, are allowed.</para>
/// <para>Where the workers are other processes (<see cref="PoolDeployment.LocalProcesses"/>,
/// <see cref="PoolDeployment.Cluster"/>), a job's function travels by name: a static method, or a
/// lambda. A lambda's captured variables travel as data typed by their declared types, read when
/// the job is submitted (a later change to a variable does not reach the workers, as with pickle);
/// one that captures <c>this</c>, a delegate, or a variable of a type the wire cannot carry
/// (<c>object</c>, an interface, an abstract class) is refused at submission with an
/// <see cref="ArgumentException"/> naming the variable. In process, functions run as they are.</para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public sealed partial class Pool : IDisposable, IAsyncDisposable
{
    private static int s_poolCount;

    private readonly ActorSystem _system;
    private readonly WorkerDeployment _deployment;
    private readonly IActorRef _router;
    private readonly WorkerGroup _group;
    private readonly JobRegistry _registry = new();
    private readonly PoolSettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly object _shutdownGate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SystemStopWatch _systemStop;
    private readonly JobJournal? _journal;
    private readonly PoolTelemetry _telemetry;
    private Task? _shutdown;

    /// <summary>Creates a pool with <see cref="Environment.ProcessorCount"/> workers and default options.</summary>
    public Pool()
        : this(new PoolOptions())
    {
    }

    /// <summary>Creates a pool with <paramref name="processes"/> workers and otherwise default options.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="processes"/> is less than 1.</exception>
    public Pool(int processes)
        : this(new PoolOptions { Processes = ValidProcesses(processes, nameof(processes)) })
    {
    }

    /// <summary>Creates a pool with the given options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (it is named in the message).</exception>
    public Pool(PoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidProcesses(options.Processes, "options.Processes");
        if (options.MaxTasksPerChild < 1)
            throw new ArgumentOutOfRangeException("options.MaxTasksPerChild", options.MaxTasksPerChild, "MaxTasksPerChild must be at least 1, or null for no limit.");
        if (!Enum.IsDefined(options.Routing))
            throw new ArgumentOutOfRangeException("options.Routing", options.Routing, "Unknown routing strategy.");
        if (!Enum.IsDefined(options.Deployment))
            throw new ArgumentOutOfRangeException("options.Deployment", options.Deployment, "Unknown deployment.");
        if (options.MaxWorkerLosses < 1)
            throw new ArgumentOutOfRangeException("options.MaxWorkerLosses", options.MaxWorkerLosses, "MaxWorkerLosses must be at least 1, or null for the default.");
        if (options.Name is { } name && string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("Name must not be empty or white space; leave it null for the default.", "options.Name");
        if (options.NoWorkerTimeout is { } noWorkerTimeout && (noWorkerTimeout <= TimeSpan.Zero || noWorkerTimeout.TotalMilliseconds > int.MaxValue))
            throw new ArgumentOutOfRangeException("options.NoWorkerTimeout", noWorkerTimeout, $"NoWorkerTimeout must be positive and at most {int.MaxValue} ms, or null for the default.");

        // First, so that a journal in use fails the constructor before anything is started.
        _journal = options.JournalPath is { } journalPath ? JobJournal.Open(journalPath) : null;
        var defaultName = $"actorpool-{Interlocked.Increment(ref s_poolCount)}";
        _telemetry = new PoolTelemetry(options.Name ?? defaultName);
        try
        {
            _deployment = WorkerDeployment.For(options, defaultName);
        }
        catch
        {
            _journal?.Dispose(); // the file is free again for a pool made with corrected options
            throw;
        }
        _system = _deployment.System;
        _log = Logging.GetLogger(_system, typeof(Pool));
        if (_journal is not null)
            _journal.Log = _log;
        try
        {
            _settings = PoolSettings.Create(options, _system.Settings.Config, _telemetry);
            _router = _system.ActorOf(PoolRouterActor.Props(_deployment, _settings, _registry, _stopping.Token), _deployment.RouterName);
            _group = _router.Ask<WorkerGroup>(GetWorkers.Instance).GetAwaiter().GetResult();
            _deployment.Started(_group);
            _systemStop = new SystemStopWatch(OnSystemStopping);
            _systemStop.Arm(_system);
            if (_deployment.OwnsSystem)
                AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            PoolInstruments.Attach(_telemetry);
        }
        catch
        {
            _journal?.Dispose();
            _deployment.Stopping();
            try
            {
                if (_deployment.OwnsSystem)
                    TerminateOwnSystemAsync().GetAwaiter().GetResult();
            }
            finally
            {
                _deployment.Stopped();
            }
            throw;
        }
    }

    /// <summary>
    /// Number of workers (<see cref="PoolOptions.Processes"/>): threads in process, worker processes
    /// for <see cref="PoolDeployment.LocalProcesses"/>. For <see cref="PoolDeployment.Cluster"/>,
    /// where the nodes decide how many workers there are, it is the parallelism assumed for default
    /// chunk sizes and for how far IMap reads ahead.
    /// </summary>
    public int Processes => _settings.Processes;

    /// <summary>
    /// The pool's name (<see cref="PoolOptions.Name"/>; default <c>actorpool-</c> and a number), which
    /// tags its metrics (<c>actorpool.pool</c>) and its traces.
    /// </summary>
    public string Name => _telemetry.Name;

    /// <summary>The pool's view of its work, for metrics and the dashboard (<c>ActorPool.Dashboard</c>).</summary>
    internal PoolTelemetry Telemetry => _telemetry;

    /// <summary>Where the pool is in its lifecycle.</summary>
    internal PoolState State => _registry.State;

    /// <summary>
    /// The pool's router actor. Actors in the same ActorSystem can send it a
    /// <see cref="MapRequest{T, TResult}"/> or <see cref="ApplyRequest{TResult}"/> and receive the
    /// answer as a reply.
    /// </summary>
    public IActorRef Router => _router;

    /// <summary>
    /// Removes durable job <paramref name="jobId"/> from the pool's journal (<see cref="PoolOptions.JournalPath"/>),
    /// so that the id can name another job.
    /// </summary>
    /// <returns>True if the journal held the job.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="jobId"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or white space.</exception>
    /// <exception cref="InvalidOperationException">The pool has no journal, or the job is running in it.</exception>
    public bool ForgetJob(string jobId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return (_journal ?? throw new InvalidOperationException("The pool has no journal: set PoolOptions.JournalPath.")).Forget(jobId);
    }

    /// <summary>Stops the pool taking new work; work already submitted runs to the end. Idempotent.</summary>
    public void Close() => _registry.Close();

    /// <summary>
    /// Stops the pool at once: no new work, pending work is dropped, and every outstanding result
    /// fails with <see cref="PoolTerminatedException"/>. Tasks already running see
    /// <see cref="PoolContext.CancellationToken"/> cancelled, in this process and on nodes; one that
    /// does not watch it cannot be interrupted: it runs to its end, and its result is discarded.
    /// </summary>
    public void Terminate()
    {
        _registry.Terminate(new PoolTerminatedException());
        _stopping.Cancel();
        BeginShutdown();
    }

    /// <summary>
    /// Waits for the pool to finish: after <see cref="Close"/>, until every submitted job is done;
    /// then until the workers (and the pool's own ActorSystem, if it made one) have stopped.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither <see cref="Close"/> nor <see cref="Terminate"/> was called,
    /// or it was called from a task or callback of this pool, which it would wait for ever.</exception>
    public void Join()
    {
        OwnPool.ThrowIfBlockingOn(_registry, nameof(Join));
        JoinAsync().GetAwaiter().GetResult();
    }

    /// <summary>Closes the pool if it is running and joins it: submitted work finishes first (unlike Python's <c>with</c>, which terminates).</summary>
    /// <exception cref="InvalidOperationException">Called from a task or callback of this pool, which it would wait for ever.</exception>
    public void Dispose()
    {
        OwnPool.ThrowIfBlockingOn(_registry, nameof(Dispose));
        Close();
        Join();
    }

    /// <summary>Closes the pool if it is running and joins it without blocking a thread.</summary>
    public async ValueTask DisposeAsync()
    {
        Close();
        await JoinAsync().ConfigureAwait(false);
    }

    private async Task JoinAsync()
    {
        if (_registry.State == PoolState.Running)
            throw new InvalidOperationException("Join() must follow Close() or Terminate().");
        _registry.OnJoin();
        await _registry.Drained.ConfigureAwait(false);
        await BeginShutdown().ConfigureAwait(false);
    }

    private Task BeginShutdown()
    {
        lock (_shutdownGate)
            return _shutdown ??= ShutdownAsync();
    }

    private async Task ShutdownAsync()
    {
        _systemStop.Dispose();
        // From here on a worker process that exits is the pool stopping, not a loss to repair.
        _deployment.Stopping();
        if (!_system.WhenTerminated.IsCompleted)
        {
            // Stopping the router stops its children: the workers (each after its current task)
            // and any coordinator still alive. Results are already settled by now (drained or
            // aborted). A system that is shutting down may terminate before the router's stop is
            // reported: that ends the wait too.
            var stopped = _router.WatchAsync();
            _system.Stop(_router);
            await Task.WhenAny(stopped, _system.WhenTerminated).ConfigureAwait(false);
        }
        try
        {
            if (_deployment.OwnsSystem)
                await TerminateOwnSystemAsync().ConfigureAwait(false);
        }
        finally
        {
            // Worker processes go last, once this side has closed its connections to them.
            _deployment.Stopped();
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            PoolInstruments.Detach(_telemetry);
            _journal?.Dispose(); // every job has ended: what they recorded is written, and the file is free
        }
    }

    /// <summary>Terminates the pool's own system, and lets go of it at once (see <see cref="RemotingRemains"/>).</summary>
    private async Task TerminateOwnSystemAsync()
    {
        var remains = RemotingRemains.Of(_system);
        await _deployment.BeforeTerminateAsync().ConfigureAwait(false);
        await _system.Terminate().ConfigureAwait(false);
        await remains.ReleaseAsync().ConfigureAwait(false);
    }

    /// <summary>The ActorSystem under the pool began to stop: the pool terminates, since its actors are about to go.</summary>
    private void OnSystemStopping()
    {
        _registry.Terminate(
            new PoolTerminatedException("The pool's ActorSystem shut down before this task completed."),
            stoppedBy: "its ActorSystem has shut down");
        _stopping.Cancel();
        _deployment.Stopping();
        // The system stops the pool's actors itself; this only makes Join's shutdown step ready.
        BeginShutdown();
    }

    /// <summary>How long a process that exits waits for its pools to stop (their worker processes, their cluster membership).</summary>
    private static readonly TimeSpan ProcessExitGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The process is exiting (the end of <c>Main</c>, <c>Environment.Exit</c>; SIGTERM and Ctrl-C
    /// with nobody handling them end it without this) with the pool, which runs in a system of its own, not disposed: the
    /// pool terminates, and its worker processes and membership are let go, for at most
    /// <see cref="ProcessExitGrace"/> (a task that called <c>Environment.Exit</c> is still running).
    /// </summary>
    private void OnProcessExit(object? sender, EventArgs e)
    {
        Terminate();
        Task.WhenAny(BeginShutdown(), Task.Delay(ProcessExitGrace)).Wait(); // never throws: the process is going either way
    }

    /// <summary>The ActorSystem the pool runs in (for tests).</summary>
    internal ActorSystem System => _system;

    /// <summary>Refuses a call that waits on this pool from one of its own tasks or callbacks, before it submits anything; returns this pool.</summary>
    private Pool WaitOutside(string operation)
    {
        OwnPool.ThrowIfBlockingOn(_registry, operation);
        return this;
    }

    private static int ValidProcesses(int processes, string paramName) =>
        processes >= 1 ? processes : throw new ArgumentOutOfRangeException(paramName, processes, "A pool needs at least 1 process.");

    private AsyncResult<T> NewResult<T>(Action<T>? callback, Action<Exception>? errorCallback, JobTally tally) =>
        new(_registry, callback, errorCallback, ReportCallbackFailure, tally, _settings.IdleSpin);

    /// <summary>The counts of a new job of <paramref name="kind"/> with <paramref name="options"/>, which report its progress if they ask for it.</summary>
    private JobTally NewTally(string kind, JobOptions? options) =>
        new JobTally(_telemetry, kind).ReportingTo(options, _registry, ReportCallbackFailure);

    private void ReportCallbackFailure(Exception error) =>
        UserText.Log(_log, LogLevel.ErrorLevel, error, "A callback or progress handler passed to an ActorPool submission threw; the pool carries on.");

    private IActorRefProvider Provider => ((ExtendedActorSystem)_system).Provider;
}
