using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using ActorPool.Coordination;
using ActorPool.Lifecycle;
using ActorPool.Protocol;

namespace ActorPool;

/// <summary>
/// The results of <c>IMap</c> (input order) or <c>IMapUnordered</c> (completion order) as they
/// arrive, like CPython's <c>IMapIterator</c>: step with <see cref="Next"/>, or enumerate it with
/// <c>foreach</c> or <c>await foreach</c>. One consumer at a time.
/// </summary>
/// <remarks>
/// <para>It deliberately implements <see cref="IEnumerable{T}"/> only: <c>await foreach</c>
/// works through <see cref="GetAsyncEnumerator"/> by pattern, and implementing
/// <see cref="IAsyncEnumerable{T}"/> as well would make every LINQ call on it ambiguous. Where an
/// <see cref="IAsyncEnumerable{T}"/> is wanted, pass <see cref="AsAsyncEnumerable"/>; to cancel an
/// <c>await foreach</c>, use <see cref="WithCancellation"/>.</para>
/// <para>Disposing the iterator, or leaving a <c>foreach</c> before the end (break, exception),
/// stops the job: the input is no longer read and pending tasks are dropped. After that, <see cref="Next"/>
/// and enumerating again throw <see cref="ObjectDisposedException"/>: the results not taken are
/// gone, and that is never passed off as the end of the input.</para>
/// </remarks>
public sealed class PoolIterator<T> : IEnumerable<T>, IDisposable
{
    private readonly ResultSink<T> _sink;
    private volatile bool _disposed;
    private Task<bool>? _pendingWait; // a wait that timed out, reused by the next call instead of piling up waiters

    internal PoolIterator(ResultSink<T> sink) => _sink = sink;

    /// <summary>
    /// Waits for the next result and returns it. If that item's task threw (or the input threw at
    /// that position), throws its exception; the following call goes on with the next item.
    /// </summary>
    /// <param name="timeout">How long to wait; null (the default) waits without limit.</param>
    /// <exception cref="TimeoutException">No result was ready in time; the iterator stays usable.</exception>
    /// <exception cref="InvalidOperationException">Every result has been returned already, or this is called without a timeout, with no result ready, from a task or callback of the same pool.</exception>
    /// <exception cref="ObjectDisposedException">The iterator was disposed (or a <c>foreach</c> over it left early).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    public T Next(TimeSpan? timeout = null)
    {
        var milliseconds = Timeouts.ToMilliseconds(timeout, nameof(timeout));
        // A buffered result, or a wait with a limit, always ends: only an endless wait on the pool's own thread is refused.
        if (milliseconds == Timeout.Infinite && !_sink.Reader.TryPeek(out _))
            OwnPool.ThrowIfBlockingOn(_sink.Registry, nameof(Next));
        return TryNext(milliseconds, out var value)
            ? value
            : throw new InvalidOperationException("The iterator has no more results.");
    }

    /// <summary>Enumerates the remaining results; a failed item throws its exception from <c>MoveNext</c>.</summary>
    /// <remarks><c>MoveNext</c> throws <see cref="ObjectDisposedException"/> once the iterator is disposed, and <see cref="InvalidOperationException"/> on a task or callback of the same pool.</remarks>
    public IEnumerator<T> GetEnumerator()
    {
        OwnPool.ThrowIfBlockingOn(_sink.Registry, "Enumerating an IMap");
        var finished = false;
        try
        {
            while (TryNext(Timeout.Infinite, out var value))
                yield return value;
            finished = true;
        }
        finally
        {
            if (!finished)
                Dispose();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>This iterator as an <see cref="IAsyncEnumerable{T}"/>, for code that takes one; enumerating it is <see cref="GetAsyncEnumerator"/>.</summary>
    public IAsyncEnumerable<T> AsAsyncEnumerable() => new AsyncView(this);

    /// <summary>
    /// For <c>await foreach (var r in pool.IMap(...).WithCancellation(token))</c>: enumerates the
    /// remaining results asynchronously, and cancelling <paramref name="cancellationToken"/> stops
    /// waiting (and, by leaving the loop, stops the job). <c>ConfigureAwait</c> can follow.
    /// </summary>
    /// <param name="cancellationToken">Stops the wait for the next result.</param>
    public ConfiguredCancelableAsyncEnumerable<T> WithCancellation(CancellationToken cancellationToken) =>
        AsAsyncEnumerable().WithCancellation(cancellationToken);

    private sealed class AsyncView(PoolIterator<T> iterator) : IAsyncEnumerable<T>
    {
        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) => iterator.GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>Enumerates the remaining results asynchronously: <c>await foreach (var r in pool.IMap(...))</c>.</summary>
    /// <param name="cancellationToken">Stops waiting (and, by leaving the loop, stops the job).</param>
    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        OwnPool.ThrowIfAwaitingOn(_sink.Registry, "await foreach over an IMap");
        var finished = false;
        try
        {
            var reader = _sink.Reader;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (!_disposed && reader.TryRead(out var outcome))
                {
                    cancellationToken.ThrowIfCancellationRequested(); // even while results are buffered
                    yield return Take(outcome);
                }
                ThrowIfDisposed();
            }
            ThrowIfDisposed();
            ThrowIfCancelled();
            finished = true;
        }
        finally
        {
            if (!finished)
                Dispose();
        }
    }

    /// <summary>Stops the job if it is still running: the input is no longer read and pending tasks are dropped. Idempotent.</summary>
    public void Dispose()
    {
        _disposed = true;
        _sink.Cancel();
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(nameof(PoolIterator<T>), "The iterator was disposed (or a foreach over it was left early): its remaining results are gone.");
    }

    private bool TryNext(int milliseconds, out T value)
    {
        var reader = _sink.Reader;
        while (true)
        {
            ThrowIfDisposed();
            ThrowIfCancelled();
            if (reader.TryRead(out var outcome))
            {
                value = Take(outcome);
                return true;
            }
            bool more;
            var task = _pendingWait;
            _pendingWait = null;
            if (task is null)
            {
                var waiting = reader.WaitToReadAsync();
                task = waiting.IsCompleted ? Task.FromResult(waiting.Result) : waiting.AsTask();
            }
            if (!task.Wait(milliseconds))
            {
                _pendingWait = task;
                throw new TimeoutException($"No result was ready within {TimeSpan.FromMilliseconds(milliseconds)}.");
            }
            more = task.Result;
            if (!more)
            {
                ThrowIfDisposed(); // the channel was completed by Dispose, not by the end of the input
                ThrowIfCancelled(); // nor by a cancellation
                value = default!;
                return false;
            }
        }
    }

    /// <summary>The caller cancelled the job: every read throws, whatever is still buffered, and the end is never reached.</summary>
    private void ThrowIfCancelled()
    {
        if (_sink.CancelledWith is { } cancelled)
            ExceptionDispatchInfo.Throw(cancelled);
    }

    private T Take(ItemOutcome<T> outcome)
    {
        ThrowIfCancelled();
        if (outcome.EndsChunk)
            _sink.Window.Release();
        if (outcome.Error is { } error)
            ExceptionDispatchInfo.Throw(error);
        return outcome.Value;
    }
}
