using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Coordination;

/// <summary>
/// Coordinates one IMap/IMapUnordered job: writes each chunk's outcomes to the job's
/// <see cref="ResultSink{T}"/> as soon as it may, in input order (holding back chunks that arrive
/// early) or in arrival order, and completes the sink once the input has ended and every chunk
/// read from it has been written.
/// </summary>
internal sealed class StreamingCoordinator<TResult> : UntypedActor
{
    private readonly long _jobId;
    private readonly bool _ordered;
    private readonly ResultSink<TResult> _sink;
    private readonly ChunkTracker _arrived = new();
    private readonly Dictionary<long, ChunkResult<TResult>> _early = new(); // ordered only; bounded by the in-flight window
    private long _nextToWrite;
    private long _written;
    private long? _chunkCount; // known once the input has ended
    private CancellationTokenRegistration _onStop;

    public StreamingCoordinator(long jobId, bool ordered, ResultSink<TResult> sink)
    {
        _jobId = jobId;
        _ordered = ordered;
        _sink = sink;
    }

    public static Props Props(long jobId, bool ordered, ResultSink<TResult> sink) =>
        Akka.Actor.Props.Create(() => new StreamingCoordinator<TResult>(jobId, ordered, sink));

    protected override void PreStart()
    {
        // However the job ends early (the consumer left, the pool was terminated), this coordinator
        // hears of it, even after the feeder is done, and drops the job's pending work.
        var self = Self;
        _onStop = _sink.Stopped.Register(() => self.Tell(CancelJob.Instance));
    }

    protected override void PostStop() => _onStop.Dispose();

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ChunkResult<TResult> result:
                if (_arrived.TryMark(result.ChunkIndex))
                    Accept(result);
                break;
            case ChunkResults results:
                foreach (var one in results.Results)
                {
                    if (one is not ChunkResult<TResult> result)
                        Unhandled(one);
                    else if (_arrived.TryMark(result.ChunkIndex))
                        Accept(result);
                }
                break;
            case InputEnded ended:
                _chunkCount = ended.ChunkCount;
                _sink.SetTotal(ended.ItemCount);
                CompleteIfDone();
                break;
            case InputFailed failed:
                // The input broke at this position: that failure is the job's last "chunk", one
                // item long, so the consumer meets it exactly where the input stopped.
                _chunkCount = failed.ChunkIndex + 1;
                _sink.SetTotal(failed.Position + 1);
                _arrived.TryMark(failed.ChunkIndex);
                Accept(new ChunkResult<TResult>(_jobId, failed.ChunkIndex, failed.Position, new TResult[1], [new ItemFailure(0, failed.Error)]));
                break;
            case CancelJob:
                // Its router (this actor's parent) drops its queued work and cancels its running
                // tasks, here and on nodes: their results would have nowhere to go.
                Context.Parent.Tell(new JobCancelled(_jobId));
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Accept(ChunkResult<TResult> result)
    {
        if (!_ordered)
        {
            Write(result);
        }
        else
        {
            _early.Add(result.ChunkIndex, result);
            while (_early.Remove(_nextToWrite, out var next))
            {
                Write(next);
                _nextToWrite++;
            }
        }
        CompleteIfDone();
    }

    private void Write(ChunkResult<TResult> result)
    {
        _sink.WriteChunk(result);
        _written++;
    }

    private void CompleteIfDone()
    {
        if (_written != _chunkCount)
            return;
        _sink.Complete();
        Context.Stop(Self);
    }
}
