using ActorPool.Observability;
using ActorPool.Threads;
using Akka.Configuration;

namespace ActorPool.Configuration;

/// <summary>
/// The settings a pool runs with: <c>reference.conf</c> (overridable by the ActorSystem's own
/// configuration) for the tuning knobs, then <see cref="PoolOptions"/> for what the caller set.
/// </summary>
internal sealed record PoolSettings(
    int Processes,
    PoolRouting Routing,
    PoolDeployment Deployment,
    Action? Initializer,
    int? MaxTasksPerChild,
    int MessagesInFlightPerWorker,
    int BatchDivisor,
    int MaxBatch,
    int ChunksInFlightPerWorker,
    int ItemsInFlightPerWorker,
    string WorkerRole,
    int MaxWorkerLosses,
    TimeSpan NoWorkerTimeout,
    int AsyncItemsPerWorker,
    TimeSpan IdleSpin,
    SpeculationSettings Speculation,
    PoolTelemetry Telemetry)
{
    /// <summary>Id of the dispatcher that runs user functions.</summary>
    public const string WorkerDispatcherId = "actorpool.worker-dispatcher";

    /// <summary>Id of the dispatcher of the in-process work-pulling router (<see cref="Threads.SenderThreadExecutor"/>).</summary>
    public const string RouterDispatcherId = "actorpool.router-dispatcher";

    /// <summary>Items of one chunk of an async function a worker awaits at once (<c>actorpool.async-items-per-worker</c>), from any system's configuration.</summary>
    public static int AsyncItemsPerWorkerOf(Config config) => Positive(config.GetConfig("actorpool"), "async-items-per-worker");

    /// <summary>
    /// How long a worker out of work, or a thread waiting on a result, spins before it sleeps
    /// (<c>actorpool.idle-spin</c>), from any system's configuration; zero on a machine with one
    /// processor, where the thread that would end a spin cannot run while it lasts.
    /// </summary>
    public static TimeSpan IdleSpinOf(Config config)
    {
        var range = $"actorpool.idle-spin must be a duration from 0s to {BriefSpin.MaxSpin.TotalMilliseconds}ms (such as 5 microseconds)";
        TimeSpan spin;
        try
        {
            spin = config.GetTimeSpan("actorpool.idle-spin", null, allowInfinite: false);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ConfigurationException)
        {
            throw new ConfigurationException($"{range}: {ex.Message}", ex);
        }
        if (spin < TimeSpan.Zero || spin > BriefSpin.MaxSpin)
            throw new ConfigurationException($"{range}, but is {spin}.");
        return Environment.ProcessorCount == 1 ? TimeSpan.Zero : spin;
    }

    /// <summary>Chunks of a streamed job that may be read ahead of its consumer (see <c>actorpool.imap</c> in reference.conf).</summary>
    public int StreamWindow(int chunkSize) =>
        Processes * Math.Max(ChunksInFlightPerWorker, (ItemsInFlightPerWorker + chunkSize - 1) / chunkSize);

    /// <param name="options">What the caller set.</param>
    /// <param name="config">The ActorSystem's configuration, over reference.conf.</param>
    /// <param name="telemetry">The pool's metrics, which its router keeps told of its workers.</param>
    public static PoolSettings Create(PoolOptions options, Config config, PoolTelemetry telemetry)
    {
        var section = config.GetConfig("actorpool");
        var noWorkerTimeout = options.NoWorkerTimeout ?? section.GetTimeSpan("remote.no-worker-timeout", null);
        if (noWorkerTimeout <= TimeSpan.Zero)
            throw new ConfigurationException($"actorpool.remote.no-worker-timeout must be positive, but is {noWorkerTimeout}.");
        return new PoolSettings(
            options.Processes,
            options.Routing,
            options.Deployment,
            options.Initializer,
            options.MaxTasksPerChild,
            Positive(section, "work-pulling.messages-in-flight-per-worker"),
            Positive(section, "work-pulling.batch-divisor"),
            Positive(section, "work-pulling.max-batch"),
            Positive(section, "imap.chunks-in-flight-per-worker"),
            Positive(section, "imap.items-in-flight-per-worker"),
            options.WorkerRole,
            options.MaxWorkerLosses ?? Positive(section, "remote.max-worker-losses"),
            noWorkerTimeout,
            AsyncItemsPerWorkerOf(config),
            IdleSpinOf(config),
            SpeculationSettings.Of(section.GetConfig("speculation")),
            telemetry);
    }

    private static int Positive(Config section, string path)
    {
        var value = section.GetInt(path, 0);
        if (value < 1)
            throw new ConfigurationException($"actorpool.{path} must be a positive integer, but is {value}.");
        return value;
    }
}
