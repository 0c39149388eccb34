using ActorPool.Protocol;
using ActorPool.Routing;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Coordination;

/// <summary>
/// Reads a streamed job's input lazily, one chunk at a time, and sends each chunk to the workers,
/// taking a slot of the job's window first: at most the window's worth of chunks is ever read
/// ahead of the consumer, so an endless input works and memory stays bounded.
/// </summary>
/// <remarks>
/// The input enumerable is user code: it may block or throw, so it runs on a thread of its own,
/// never inside an actor. An exception from it becomes the job's last item, at its position.
/// </remarks>
internal static class Feeder
{
    /// <summary>
    /// Starts reading <paramref name="input"/> on a thread of its own, sending chunks answered to
    /// <paramref name="coordinator"/>. The input is the caller's code, so it runs in the caller's
    /// <paramref name="callerContext"/> (its AsyncLocals, culture, current Activity), not in that
    /// of the router actor that starts the feeder; null when the caller suppressed its flow.
    /// </summary>
    public static void Start<T, TResult>(
        IEnumerable<T> input, int chunkSize, Func<ArraySegment<T>, ChunkWork<TResult>> makeWork,
        ResultSink<TResult> sink, IActorRef coordinator, WorkerGroup group, ILoggingAdapter log, ExecutionContext? callerContext) =>
        Task.Factory.StartNew(
            () =>
            {
                if (callerContext is null)
                    Run(input, chunkSize, makeWork, sink, coordinator, group, log);
                else
                    ExecutionContext.Run(callerContext, _ => Run(input, chunkSize, makeWork, sink, coordinator, group, log), null);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default);

    private static void Run<T, TResult>(
        IEnumerable<T> input, int chunkSize, Func<ArraySegment<T>, ChunkWork<TResult>> makeWork,
        ResultSink<TResult> sink, IActorRef coordinator, WorkerGroup group, ILoggingAdapter log)
    {
        var jobId = sink.JobId;
        IEnumerator<T> items;
        try
        {
            items = input.GetEnumerator();
        }
        catch (Exception ex)
        {
            // The failure is the job's only chunk, and like every chunk it holds a slot until the
            // consumer takes it. False only when the job has already ended: nobody is left to tell.
            if (sink.Window.Acquire(sink.Stopped))
                coordinator.Tell(new InputFailed(0, 0, ex));
            return;
        }
        try
        {
            var chunkIndex = 0L;
            var offset = 0L;
            while (sink.Window.Acquire(sink.Stopped))
            {
                var buffer = new List<T>(Math.Min(chunkSize, 1024));
                Exception? inputError = null;
                try
                {
                    while (buffer.Count < chunkSize && items.MoveNext())
                        buffer.Add(items.Current);
                }
                catch (Exception ex)
                {
                    inputError = ex;
                }
                if (buffer.Count > 0)
                {
                    sink.Tally.Submitted(buffer.Count);
                    group.Dispatch(new RunChunk(jobId, chunkIndex, offset, group.Prepare(sink.Tally.Stamp(makeWork(buffer.ToArray()))), coordinator));
                    chunkIndex++;
                    offset += buffer.Count;
                }
                if (inputError is not null)
                {
                    // The failure is the job's last chunk, one item long, and the consumer frees a
                    // slot when it takes it: if the slot taken for this pass went to the items read
                    // before the failure, the failure takes one of its own, so that the window
                    // counts every chunk it will be told of, no more and no fewer.
                    if (buffer.Count == 0 || sink.Window.Acquire(sink.Stopped))
                        coordinator.Tell(new InputFailed(chunkIndex, offset, inputError));
                    return;
                }
                if (buffer.Count < chunkSize)
                {
                    coordinator.Tell(new InputEnded(chunkIndex, offset));
                    return;
                }
            }
        }
        finally
        {
            DisposeQuietly(items, log);
        }
    }

    private static void DisposeQuietly<T>(IEnumerator<T> items, ILoggingAdapter log)
    {
        try
        {
            items.Dispose();
        }
        catch (Exception ex)
        {
            // Every item read has been sent by now: an input that fails to clean up after itself
            // cannot change any result, so this is logged rather than made a task's failure.
            UserText.Log(log, LogLevel.WarningLevel, ex, "Disposing the input enumerator of an IMap job threw.");
        }
    }
}
