using ActorPool.Protocol;
using ActorPool.Routing;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Coordination;

/// <summary>
/// An <c>IMap</c>/<c>IMapUnordered</c> job: the router creates its coordinator, then starts the
/// feeder that reads <see cref="Input"/> lazily, in the caller's <see cref="CallerContext"/>, and sends its chunks to the workers with that
/// coordinator as the reply address. Results reach the consumer through <see cref="Sink"/>.
/// </summary>
/// <remarks>
/// Started by the router like every other job, so nothing waits for the router to answer: the
/// feeder begins once the coordinator it sends to exists. If the job was ended before the router
/// got to it (the consumer left, or the pool was terminated, which fails the sink), it does not start.
/// </remarks>
internal sealed record StreamJob<T, TResult>(
    IEnumerable<T> Input, int ChunkSize, Func<ArraySegment<T>, ChunkWork<TResult>> MakeWork, bool Ordered,
    ResultSink<TResult> Sink, ILoggingAdapter Log, ExecutionContext? CallerContext) : IJobStart
{
    public void Start(IActorContext context, WorkerGroup group)
    {
        if (Sink.Stopped.IsCancellationRequested)
            return;
        var coordinator = context.ActorOf(
            StreamingCoordinator<TResult>.Props(Sink.JobId, Ordered, Sink), IJobStart.CoordinatorName(Sink.JobId));
        Feeder.Start(Input, ChunkSize, MakeWork, Sink, coordinator, group, Log, CallerContext);
    }

    public void Abort(Exception reason) => Sink.Abort(reason);
}
