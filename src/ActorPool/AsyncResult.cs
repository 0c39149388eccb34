using System.Runtime.CompilerServices;
using ActorPool.Coordination;
using ActorPool.Journal;
using ActorPool.Lifecycle;
using ActorPool.Protocol;
using ActorPool.Threads;

namespace ActorPool;

/// <summary>
/// The result of an asynchronous submission (<c>ApplyAsync</c>, <c>MapAsync</c>,
/// <c>StarMapAsync</c>), like CPython's <c>AsyncResult</c>; it can also be awaited.
/// </summary>
/// <remarks>
/// A callback runs on the thread pool, never on a worker or inside an actor, before the result
/// becomes ready: once <see cref="Get"/> returns, the callback has run, as in CPython. A callback
/// that throws is logged to the pool's ActorSystem and changes nothing else.
/// </remarks>
public sealed class AsyncResult<T> : IJob
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _ready = new(false);
    private readonly JobRegistry _registry;
    private readonly Action<T>? _callback;
    private readonly Action<Exception>? _errorCallback;
    private readonly Action<Exception> _reportCallbackFailure;
    private CancellationLink? _cancellation; // only for a job with a token that can be cancelled
    private readonly JobTally _tally;
    private JournaledJob? _journal; // set before the job is sent, so before any outcome
    private int _settled;
    private readonly long _spinTicks; // actorpool.idle-spin, in Stopwatch ticks

    /// <exception cref="InvalidOperationException">The pool is not running.</exception>
    internal AsyncResult(JobRegistry registry, Action<T>? callback, Action<Exception>? errorCallback, Action<Exception> reportCallbackFailure,
        JobTally tally, TimeSpan idleSpin)
    {
        _spinTicks = BriefSpin.Ticks(idleSpin);
        _registry = registry;
        _callback = callback;
        _errorCallback = errorCallback;
        _reportCallbackFailure = reportCallbackFailure;
        _tally = tally;
        JobId = tally.Register(registry, this);
    }

    internal long JobId { get; }

    /// <summary>
    /// Waits for the result and returns it, or throws the exception the task threw (same type and
    /// message, with the worker's stack trace followed by this call's).
    /// </summary>
    /// <param name="timeout">How long to wait; null (the default) waits without limit.</param>
    /// <exception cref="TimeoutException">The result was not ready in time; it stays usable.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">Called without a timeout, before the result is ready, from a task or callback of the same pool, where it would wait for ever.</exception>
    public T Get(TimeSpan? timeout = null)
    {
        if (!WaitCore(timeout, nameof(Get)))
            throw new TimeoutException($"The result was not ready within {timeout}.");
        return _completion.Task.GetAwaiter().GetResult();
    }

    /// <summary>Waits until the result is ready, successful or not.</summary>
    /// <param name="timeout">How long to wait; null (the default) waits without limit.</param>
    /// <returns>True when the result is ready; false when <paramref name="timeout"/> passed first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">Called without a timeout, before the result is ready, from a task or callback of the same pool, where it would wait for ever.</exception>
    public bool Wait(TimeSpan? timeout = null) => WaitCore(timeout, nameof(Wait));

    private bool WaitCore(TimeSpan? timeout, string operation)
    {
        var milliseconds = Timeouts.ToMilliseconds(timeout, nameof(timeout));
        // A ready result, or a wait with a limit, always ends: only an endless wait on the pool's own thread is refused.
        if (milliseconds == Timeout.Infinite && !_completion.Task.IsCompleted)
            OwnPool.ThrowIfBlockingOn(_registry, operation);
        // A wait without a limit spins first (actorpool.idle-spin): a tiny task's result comes that
        // soon. A wait with a limit does not, so that it never outlasts its limit.
        if (milliseconds == Timeout.Infinite && BriefSpin.Until(_ready, static ready => ready.IsSet, _spinTicks))
            return true;
        return _ready.Wait(milliseconds);
    }

    /// <summary>Whether the result is ready (completed successfully or with an error).</summary>
    public bool Ready() => _completion.Task.IsCompleted;

    /// <summary>Whether the task completed without an error.</summary>
    /// <exception cref="InvalidOperationException">The result is not ready yet.</exception>
    public bool Successful() => Ready()
        ? _completion.Task.IsCompletedSuccessfully
        : throw new InvalidOperationException("The result is not ready yet; Successful() can only be asked of a ready result.");

    /// <summary>The result as a task, which faults with the task's exception.</summary>
    /// <exception cref="InvalidOperationException">Asked, before the result is ready, by an async function run by the same pool, where awaiting it could wait for ever.</exception>
    public Task<T> AsTask() => AwaitableTask(nameof(AsTask));

    /// <summary>Makes the result awaitable: <c>var value = await pool.ApplyAsync(...);</c>.</summary>
    /// <exception cref="InvalidOperationException">Awaited, before the result is ready, by an async function run by the same pool, where it could wait for ever.</exception>
    public TaskAwaiter<T> GetAwaiter() => AwaitableTask("await").GetAwaiter();

    private Task<T> AwaitableTask(string operation)
    {
        if (!_completion.Task.IsCompleted)
            OwnPool.ThrowIfAwaitingOn(_registry, operation);
        return _completion.Task;
    }

    internal void Complete(T value) => Settle(value, null);

    internal void Fail(Exception error) => Settle(default!, error);

    /// <summary>
    /// Cancelling <paramref name="token"/> fails this result with <see cref="OperationCanceledException"/>,
    /// then asks <paramref name="cancelJob"/> to stop the job's work; at once if it is cancelled already.
    /// </summary>
    internal void CancelWith(CancellationToken token, Action<long> cancelJob)
    {
        if (token.CanBeCanceled)
            CancellationLink.Link(ref _cancellation, ref _settled, token, OnCancel(token, cancelJob));
    }

    // A method of its own, so that a job without a token allocates no closure.
    private Action OnCancel(CancellationToken token, Action<long> cancelJob) =>
        () =>
        {
            if (Settle(default!, CancellationLink.Cancelled(token)))
                cancelJob(JobId);
        };

    void IJob.Abort(Exception reason) => Fail(reason);

    void IJob.OnJoin()
    {
    }

    /// <summary>Settles the result with its first outcome; false if it had one already.</summary>
    private bool Settle(T value, Exception? error)
    {
        // First outcome wins: a duplicate answer or a Terminate racing the real result is ignored.
        if (Interlocked.Exchange(ref _settled, 1) != 0)
            return false;
        Volatile.Read(ref _cancellation)?.End();
        if (_tally.Progress is null && _journal is null)
        {
            Deliver(value, error);
            return true;
        }
        // A durable job's results are recorded (see JournaledJob.FinishAsync), and the last progress
        // report is made, before the result is set and its callback runs. A journal that could not
        // be written fails the job.
        _ = SettleAfterAsync(value, error);
        return true;
    }

    private async Task SettleAfterAsync(T value, Exception? error)
    {
        if (_journal is not null)
        {
            try
            {
                await (error is null ? _journal.FinishAsync() : _journal.FlushAsync()).ConfigureAwait(false);
            }
            catch (Exception ex) when (error is null)
            {
                error = ex;
            }
            catch (Exception)
            {
                // the job failed already: that failure is the one to report
            }
        }
        if (_tally.Progress is { } progress)
            await progress.Finish().ConfigureAwait(false);
        Deliver(value, error);
    }

    /// <summary>Makes this the result of durable job <paramref name="journal"/>: it is set once the journal has recorded what the job did.</summary>
    internal void RecordIn(JournaledJob journal) => _journal = journal;

    private void Deliver(T value, Exception? error)
    {
        var hasCallback = error is null ? _callback is not null : _errorCallback is not null;
        if (!hasCallback)
        {
            Finish(value, error);
            return;
        }
        // Settle runs on the thread of whoever answered, which may be an actor: user callbacks go to the thread pool.
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            try
            {
                using (OwnPool.Enter(_registry))
                {
                    if (error is null)
                        _callback!(value);
                    else
                        _errorCallback!(error);
                }
            }
            catch (Exception ex)
            {
                _reportCallbackFailure(ex);
            }
            Finish(value, error);
        }, null);
    }

    private void Finish(T value, Exception? error)
    {
        _tally.End(JobTally.StateOf(error), error); // first: whoever the result wakes sees the job ended
        if (error is null)
            _completion.SetResult(value);
        else
            _completion.SetException(error);
        _ready.Set();
        _registry.Complete(JobId);
    }
}
