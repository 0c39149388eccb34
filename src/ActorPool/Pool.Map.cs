using ActorPool.Coordination;
using ActorPool.Journal;
using ActorPool.Lifecycle;
using ActorPool.Observability;
using ActorPool.Protocol;
using ActorPool.Remote;
using Akka.Actor;

namespace ActorPool;

public sealed partial class Pool
{
    /// <summary>
    /// Applies <paramref name="func"/> to every item in parallel and returns the results in input
    /// order (Python's <c>map</c>). The input is read in full first.
    /// </summary>
    /// <param name="func">The function.</param>
    /// <param name="iterable">The inputs. An array is read in place rather than copied, since the caller waits (as CPython reads a list): do not change it from another thread until Map returns.</param>
    /// <param name="chunkSize">
    /// Items per task. Null (the default): ceil(n / (32 × <see cref="Processes"/>)) under
    /// <see cref="PoolRouting.WorkPulling"/>, the last chunks shrinking to an eighth of that so that
    /// workers end together; CPython's ceil(n / (4 × <see cref="Processes"/>)) under the other routings
    /// or with <see cref="PoolOptions.MaxTasksPerChild"/> set; for an async function, at least as many
    /// items as a worker awaits at once (16), while each worker has that many, and no shrinking.
    /// </param>
    /// <param name="options">How the job runs its tasks (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it fails the job with <see cref="OperationCanceledException"/>: its queued tasks are dropped and its running ones see <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> or <paramref name="iterable"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is less than 1, or a property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated, or this is called from one of its own tasks or callbacks.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the job finished.</exception>
    /// <remarks>If a task throws (after its retries), Map throws that exception (the first to arrive) and the job's remaining tasks are abandoned; tasks already handed to workers may still run, and read the input, after that, as they may after a cancellation.</remarks>
    public IReadOnlyList<TResult> Map<T, TResult>(Func<T, TResult> func, IEnumerable<T> iterable, int? chunkSize = null,
        JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        WaitOutside(nameof(Map));
        func = CheckArguments(func, iterable, chunkSize, options);
        var rules = TaskRules.Of(options);
        return SubmitMap(JobKind.Map, func, iterable, chunkSize, items => new MapWork<T, TResult>(func, items) { Rules = rules }, null, null, options,
            cancellationToken, shareArrays: true).Get();
    }

    /// <summary>The asynchronous form of <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, JobOptions?, CancellationToken)"/> (Python's <c>map_async</c>): returns at once.</summary>
    /// <param name="func">The function.</param>
    /// <param name="iterable">The inputs; read in full on the calling thread. If reading throws, the result fails with that exception.</param>
    /// <param name="chunkSize">
    /// Items per task. Null (the default): ceil(n / (32 × <see cref="Processes"/>)) under
    /// <see cref="PoolRouting.WorkPulling"/>, the last chunks shrinking to an eighth of that so that
    /// workers end together; CPython's ceil(n / (4 × <see cref="Processes"/>)) under the other routings
    /// or with <see cref="PoolOptions.MaxTasksPerChild"/> set; for an async function, at least as many
    /// items as a worker awaits at once (16), while each worker has that many, and no shrinking.
    /// </param>
    /// <param name="callback">Called once with the whole list when every task has succeeded; default none.</param>
    /// <param name="errorCallback">Called once with the first exception if any task fails, or with <see cref="OperationCanceledException"/> if the job is cancelled (and <paramref name="callback"/> is then never called); default none.</param>
    /// <param name="options">How the job runs its tasks (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it fails the job with <see cref="OperationCanceledException"/>: its queued tasks are dropped and its running ones see <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> or <paramref name="iterable"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is less than 1, or a property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public AsyncResult<IReadOnlyList<TResult>> MapAsync<T, TResult>(Func<T, TResult> func, IEnumerable<T> iterable, int? chunkSize = null,
        Action<IReadOnlyList<TResult>>? callback = null, Action<Exception>? errorCallback = null,
        JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        func = CheckArguments(func, iterable, chunkSize, options);
        var rules = TaskRules.Of(options);
        return SubmitMap(JobKind.Map, func, iterable, chunkSize, items => new MapWork<T, TResult>(func, items) { Rules = rules }, callback, errorCallback, options,
            cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="func"/> to every item and yields the results in input order as they
    /// become available (Python's <c>imap</c>). The input is read lazily, a bounded number of
    /// chunks ahead of the consumer, so it may be endless.
    /// </summary>
    /// <param name="func">The function.</param>
    /// <param name="iterable">The inputs, read on a thread of the pool's own.</param>
    /// <param name="chunkSize">Items per task; default 1.</param>
    /// <param name="options">How the job runs its tasks (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it ends the job: the iterator's next read throws <see cref="OperationCanceledException"/> (results not read yet are dropped), input stops being read, queued tasks are dropped and running ones see <see cref="PoolContext.CancellationToken"/> cancelled. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> or <paramref name="iterable"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is less than 1, or a property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public PoolIterator<TResult> IMap<T, TResult>(Func<T, TResult> func, IEnumerable<T> iterable, int chunkSize = 1,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        Stream(JobKind.IMap, func, iterable, chunkSize, ordered: true, options, cancellationToken, static (func, items, rules) => new MapWork<T, TResult>(func, items) { Rules = rules });

    /// <summary>
    /// Like <see cref="IMap{T, TResult}(Func{T, TResult}, IEnumerable{T}, int, JobOptions?, CancellationToken)"/>, but yields each result as soon as its task completes,
    /// whatever its input position (Python's <c>imap_unordered</c>).
    /// </summary>
    /// <param name="func">The function.</param>
    /// <param name="iterable">The inputs, read lazily on a thread of the pool's own.</param>
    /// <param name="chunkSize">Items per task; default 1.</param>
    /// <param name="options">How the job runs its tasks (retries, progress); null (the default) for the defaults of <see cref="JobOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it ends the job, as for <see cref="IMap{T, TResult}(Func{T, TResult}, IEnumerable{T}, int, JobOptions?, CancellationToken)"/>. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> or <paramref name="iterable"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is less than 1, or a property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pool is closing or terminated.</exception>
    public PoolIterator<TResult> IMapUnordered<T, TResult>(Func<T, TResult> func, IEnumerable<T> iterable, int chunkSize = 1,
        JobOptions? options = null, CancellationToken cancellationToken = default) =>
        Stream(JobKind.IMapUnordered, func, iterable, chunkSize, ordered: false, options, cancellationToken, static (func, items, rules) => new MapWork<T, TResult>(func, items) { Rules = rules });

    private AsyncResult<IReadOnlyList<TResult>> SubmitMap<T, TResult>(string kind, Delegate func, IEnumerable<T> iterable, int? chunkSize,
        Func<ArraySegment<T>, ChunkWork<TResult>> makeWork, Action<IReadOnlyList<TResult>>? callback, Action<Exception>? errorCallback,
        JobOptions? options, CancellationToken cancellationToken, bool shareArrays = false, bool awaited = false)
    {
        // shareArrays: the caller waits for the result (Map), so an array input can be read in
        // place; MapAsync returns at once, and its caller may change the array meanwhile.
        // awaited: the work awaits the function's tasks, which the default chunk size heeds.
        var tally = NewTally(kind, options);
        var result = NewResult(callback, errorCallback, tally);
        if (cancellationToken.IsCancellationRequested)
        {
            result.Fail(CancellationLink.Cancelled(cancellationToken));
            return result;
        }
        // From here on every failure, the input's included, is the result's: the job is registered,
        // and a throw out of this method would leave it outstanding for ever (and Join waiting).
        try
        {
            // An array whose runtime type is exactly T[]: a covariant one (a string[] passed as
            // IEnumerable<object>) cannot be viewed as a span of T.
            var items = shareArrays && iterable is T[] array && array.GetType() == typeof(T[]) ? array : iterable.ToArray();
            tally.SetTotal(items.Length);
            if (items.Length == 0)
            {
                result.Complete(Array.Empty<TResult>());
                return result;
            }
            // A durable job runs only what its journal does not hold yet.
            (JournaledJob, TResult[], IReadOnlyList<(int, int)>)? durable = null;
            if (options?.JobId is { } jobId)
            {
                var journal = _journal!.Begin(jobId, JobFingerprint.Of(func, items), items.Length, recorded => JobFingerprint.Earlier(recorded, func, items));
                result.RecordIn(journal);
                var results = GC.AllocateUninitializedArray<TResult>(items.Length); // every item is restored or run
                var left = journal.Restore(results);
                tally.Restore(items.Length - left.Sum(range => range.Count));
                if (left.Count == 0)
                {
                    result.Complete(results);
                    return result;
                }
                durable = (journal, results, left);
            }
            var reply = new ReplyRef(Provider, message =>
            {
                switch (message)
                {
                    case IReadOnlyList<TResult> list:
                        result.Complete(list);
                        break;
                    case Status.Failure failure:
                        result.Fail(failure.Cause);
                        break;
                }
            });
            // No sender: the router would hold it, and with it this job's results, until its next message.
            _router.Tell(MapJob<TResult>.Create(result.JobId, items, chunkSize, _settings, awaited, makeWork, _group, reply, tally, durable), ActorRefs.NoSender);
        }
        catch (Exception ex)
        {
            result.Fail(ex);
        }
        // After the job was told to the router: a cancellation reaches it after the job itself.
        if (cancellationToken.CanBeCanceled)
            result.CancelWith(cancellationToken, CancelJob);
        return result;
    }

    private PoolIterator<TResult> Stream<TFunc, T, TResult>(string kind, TFunc func, IEnumerable<T> iterable, int chunkSize, bool ordered,
        JobOptions? options, CancellationToken cancellationToken, Func<TFunc, ArraySegment<T>, TaskRules?, ChunkWork<TResult>> makeWork, bool awaited = false)
        where TFunc : Delegate
    {
        func = CheckArguments(func, iterable, chunkSize, options, durable: false, awaited);
        var rules = TaskRules.Of(options);
        var sink = new ResultSink<TResult>(_registry, new Window(_settings.StreamWindow(chunkSize)), NewTally(kind, options));
        if (cancellationToken.IsCancellationRequested)
        {
            sink.Abort(CancellationLink.Cancelled(cancellationToken));
            return new PoolIterator<TResult>(sink);
        }
        _router.Tell(new StreamJob<T, TResult>(iterable, chunkSize, items => makeWork(func, items, rules), ordered, sink, _log,
            ExecutionContext.Capture()), ActorRefs.NoSender);
        if (cancellationToken.CanBeCanceled)
            sink.CancelWith(cancellationToken, CancelJob);
        return new PoolIterator<TResult>(sink);
    }

    /// <summary>Checks a job's arguments; returns the function the job runs (<see cref="JobArguments.CheckFunction{TFunc}"/>).</summary>
    private TFunc CheckArguments<TFunc>(TFunc func, object iterable, int? chunkSize, JobOptions? options, bool durable = true, bool awaited = false)
        where TFunc : Delegate
    {
        var run = JobArguments.CheckFunction(func, nameof(func), _deployment, awaited);
        JobArguments.CheckItems(iterable, nameof(iterable));
        JobArguments.CheckChunkSize(chunkSize, nameof(chunkSize));
        JobArguments.CheckOptions(options, _deployment, durable, _journal is not null);
        if (options?.JobId is not null)
        {
            try
            {
                FunctionRef.Create(func, nameof(func)); // a durable job's function is found again by name when it resumes
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException(
                    $"A durable job (JobId) must have a function that a later run can find again by name: a static method, or a lambda "
                    + $"that captures nothing. {ex.Message}", nameof(func), ex);
            }
        }
        return run;
    }

    /// <summary>The caller cancelled job <paramref name="jobId"/> (its result has failed): the router stops its work.</summary>
    private void CancelJob(long jobId) => _router.Tell(new JobCancelled(jobId), ActorRefs.NoSender);
}
