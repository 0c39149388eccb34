using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ActorPool.Observability;

/// <summary>
/// The pool's metrics and traces, one set for the process: the meter <c>ActorPool</c> with its
/// instruments, and the activity source <c>ActorPool</c>. Every measurement carries the tag
/// <c>actorpool.pool</c> with its pool's name (<see cref="Pool.Name"/>).
/// </summary>
/// <remarks>
/// With no listener attached, an instrument's <c>Add</c> or <c>Record</c> returns after one check,
/// and the source starts no activity: a pool costs nothing measurable unless someone listens. The
/// two gauges are observed, so they cost nothing until collected; they read every live pool then.
/// </remarks>
internal static class PoolInstruments
{
    /// <summary>Name of the meter and of the activity source.</summary>
    public const string Name = "ActorPool";

    /// <summary>The tag that names a measurement's pool.</summary>
    public const string PoolTag = "actorpool.pool";

    // Before the gauges, whose callbacks read it.
    private static readonly ConcurrentDictionary<PoolTelemetry, byte> s_pools = new();

    private static readonly string? s_version = typeof(PoolInstruments).Assembly.GetName().Version?.ToString();

    public static readonly Meter Meter = new(Name, s_version);

    public static readonly ActivitySource Source = new(Name, s_version);

    /// <summary>Items finished, tagged <c>outcome</c> = <c>success</c> or <c>failure</c>.</summary>
    public static readonly Counter<long> TasksCompleted = Meter.CreateCounter<long>(
        "actorpool.tasks.completed", "{task}", "Items finished, by outcome (success or failure).");

    /// <summary>How long each chunk took to run on its worker, in seconds.</summary>
    public static readonly Histogram<double> ChunkDuration = Meter.CreateHistogram<double>(
        "actorpool.chunk.duration", "s", "Time a chunk took to run on its worker.");

    /// <summary>Workers lost: a worker process that exited, a node that became unreachable, a worker actor that stopped.</summary>
    public static readonly Counter<long> WorkersLost = Meter.CreateCounter<long>(
        "actorpool.workers.lost", "{worker}", "Workers lost (a process exited, a node became unreachable).");

    private static readonly ObservableGauge<long> s_pending = Meter.CreateObservableGauge(
        "actorpool.tasks.pending", static () => s_pools.Keys.Select(pool => new Measurement<long>(pool.Pending, pool.Tag)),
        "{task}", "Items submitted and not yet finished.");

    private static readonly ObservableGauge<int> s_workers = Meter.CreateObservableGauge(
        "actorpool.workers", static () => s_pools.Keys.Select(pool => new Measurement<int>(pool.Workers, pool.Tag)),
        "{worker}", "Live workers: threads, worker processes or the workers of cluster nodes.");

    /// <summary>The pool is live: the gauges report it.</summary>
    public static void Attach(PoolTelemetry pool) => s_pools.TryAdd(pool, 0);

    /// <summary>The pool has stopped: the gauges no longer report it.</summary>
    public static void Detach(PoolTelemetry pool) => s_pools.TryRemove(pool, out _);
}
