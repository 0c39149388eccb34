using System.Diagnostics;

namespace ActorPool.Observability;

/// <summary>
/// The activity of one chunk on its worker (<c>actorpool.chunk</c>), a child of its job's, here or
/// on another node, where the job's trace context travels with the chunk (<see cref="Format"/>).
/// </summary>
internal static class ChunkTrace
{
    /// <summary>
    /// Starts the activity of a chunk whose job is traced (<paramref name="parent"/> is its context),
    /// or returns null when it is not. A process with no listener of its own (a node without an
    /// exporter) still gets an activity, unrecorded, so that the tasks' logs carry the job's trace id.
    /// </summary>
    public static Activity? Start(ActivityContext parent, long jobId, long chunkIndex, int items)
    {
        if (parent.TraceId == default)
            return null;
        var activity = PoolInstruments.Source.HasListeners()
            ? ListenerGuard.Start(() => PoolInstruments.Source.StartActivity("actorpool.chunk", ActivityKind.Internal, parent), current: true)
            : new Activity("actorpool.chunk").SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags).Start();
        activity?.SetTag("actorpool.job.id", jobId);
        activity?.SetTag("actorpool.chunk.index", chunkIndex);
        activity?.SetTag("actorpool.chunk.items", items);
        return activity;
    }

    /// <summary>A trace context as a W3C <c>traceparent</c>, for the wire; null for none.</summary>
    public static string? Format(ActivityContext context) =>
        context.TraceId == default ? null : $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{(byte)context.TraceFlags:x2}";

    /// <summary>A trace context read from the wire; none (default) when there is none, or it is malformed.</summary>
    public static ActivityContext Parse(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
}
