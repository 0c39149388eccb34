using System.Collections.Concurrent;
using System.Diagnostics;

namespace ActorPool.Tests;

/// <summary>
/// Records every activity of the <c>ActorPool</c> source that stops while it is alive, sampling them
/// all. Other tests' pools run meanwhile: read only what <see cref="Of"/> a pool of your own.
/// </summary>
public sealed class ActivityRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ActorPool",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The jobs' activities of <paramref name="pool"/> that have stopped, in the order they started.</summary>
    public List<Activity> JobsOf(Pool pool) =>
        _stopped.Where(a => a.OperationName != "actorpool.chunk" && Equals(a.GetTagItem("actorpool.pool"), pool.Name))
            .OrderBy(a => a.StartTimeUtc).ToList();

    /// <summary>The chunks' activities, children of <paramref name="job"/>, that have stopped.</summary>
    public List<Activity> ChunksOf(Activity job) =>
        _stopped.Where(a => a.OperationName == "actorpool.chunk" && a.ParentSpanId == job.SpanId).ToList();

    public void Dispose() => _listener.Dispose();
}
