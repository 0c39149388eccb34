using System.Collections.Concurrent;
using ActorPool.Coordination;

namespace ActorPool.Observability;

/// <summary>
/// One pool's view of its work, for metrics (<see cref="PoolInstruments"/>): its jobs in progress,
/// its live workers, and the measurements it makes, each tagged with the pool's name. Counted by
/// whoever learns of a change (jobs' tallies, the router); read by the gauges from any thread.
/// </summary>
internal sealed class PoolTelemetry
{
    private readonly ConcurrentDictionary<JobTally, byte> _jobs = new();
    private readonly KeyValuePair<string, object?> _success;
    private readonly KeyValuePair<string, object?> _failure;
    private int _workers;

    public PoolTelemetry(string name)
    {
        Name = name;
        Tag = new(PoolInstruments.PoolTag, name);
        _success = new("outcome", "success");
        _failure = new("outcome", "failure");
    }

    /// <summary>The pool's name (<see cref="Pool.Name"/>).</summary>
    public string Name { get; }

    /// <summary>The tag every measurement of this pool carries.</summary>
    public KeyValuePair<string, object?> Tag { get; }

    /// <summary>Items submitted to the pool's jobs in progress and not finished yet.</summary>
    public long Pending => _jobs.Keys.Sum(job => job.Pending);

    /// <summary>The pool's live workers, as its router last counted them.</summary>
    public int Workers => Volatile.Read(ref _workers);

    public void JobBegan(JobTally job) => _jobs.TryAdd(job, 0);

    public void JobEnded(JobTally job) => _jobs.TryRemove(job, out _);

    /// <summary>Items of a job have finished.</summary>
    public void Finished(long completed, long failed)
    {
        if (!PoolInstruments.TasksCompleted.Enabled)
            return;
        if (completed > 0)
            PoolInstruments.TasksCompleted.Add(completed, Tag, _success);
        if (failed > 0)
            PoolInstruments.TasksCompleted.Add(failed, Tag, _failure);
    }

    /// <summary>A chunk ran on its worker for <paramref name="runTime"/>.</summary>
    public void ChunkRan(TimeSpan runTime) => PoolInstruments.ChunkDuration.Record(runTime.TotalSeconds, Tag);

    /// <summary>The router counts <paramref name="live"/> workers now.</summary>
    public void WorkersChanged(int live) => Volatile.Write(ref _workers, live);

    /// <summary>A worker was lost (it did not leave or retire as planned).</summary>
    public void WorkerLost() => PoolInstruments.WorkersLost.Add(1, Tag);
}
