using System.Diagnostics;
using ActorPool.Observability;

namespace ActorPool.Protocol;

/// <summary>
/// The payload of a chunk: a function and the arguments of each of its items. It is data, not a
/// closure: the function is a delegate the caller passed (for other nodes, a method that can be
/// named) and the arguments are values, so a chunk can be run wherever it is delivered.
/// </summary>
internal abstract class ChunkWork
{
    /// <summary>Number of items (tasks' arguments) in the chunk.</summary>
    public abstract int Count { get; }

    /// <summary>Runs every item; never throws. Returns the chunk's <c>ChunkResult&lt;TResult&gt;</c>.</summary>
    public abstract object Execute(long jobId, long chunkIndex, long offset);

    /// <summary>Fails every item with <paramref name="error"/>, without running any.</summary>
    public abstract object FailAll(long jobId, long chunkIndex, long offset, Exception error);

    /// <summary>
    /// The most bytes a chunk's arguments, a batch of chunks, or a chunk's result may take on the
    /// wire: half of the transport's frame (<c>akka.remote.dot-netty.tcp.maximum-frame-size</c>,
    /// 32 MiB in reference.conf). Above it a message would be dropped by the transport.
    /// </summary>
    public const int MaxWireBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Work that cannot reach a worker (its arguments could not be encoded for the wire): it is not
    /// sent, and <see cref="Execute"/> answers with its failure where it was made.
    /// </summary>
    public virtual bool CannotBeSent => false;

    /// <summary>Bytes the work takes on the wire to another process; 0 for work that stays in process.</summary>
    public virtual long WireBytes => 0;

    /// <summary>The job's rules for its items (retries, timeout); null (the default) for none.</summary>
    public TaskRules? Rules { get; init; }

    /// <summary>
    /// The trace context of the chunk's job, which the chunk's activity continues where it runs;
    /// default (the default) when nobody traces the job. Set once, before the work is sent.
    /// </summary>
    public ActivityContext Trace { get; set; }

    /// <summary>
    /// Whether the chunk's run time is wanted (<c>actorpool.chunk.duration</c> had a listener when
    /// the job sent it): only then does the worker read the clock around it. Set once, before the work is sent.
    /// </summary>
    public bool MeasureRunTime { get; set; }

    /// <summary>Whether a copy of this work may be started elsewhere when it straggles (<see cref="JobOptions.Speculative"/>).</summary>
    public virtual bool Speculative => Rules?.Speculative == true;

    /// <summary>
    /// Fails every item of work that was never sent (no worker could take it), with the result in
    /// the form its coordinator takes, which for work encoded for the wire is the decoded one.
    /// </summary>
    public virtual object FailUnsent(long jobId, long chunkIndex, long offset, Exception error) =>
        FailAll(jobId, chunkIndex, offset, error);
}

/// <summary>Work that still holds its delegate and argument values, as the caller passed them.</summary>
internal interface ITypedWork
{
    /// <summary>The function the caller passed.</summary>
    Delegate Function { get; }

    /// <summary>The arguments, one element per item (<c>T[]</c>, <c>(T1, T2)[]</c>, …); null for a function of no arguments.</summary>
    Array? Items { get; }
}

/// <inheritdoc />
internal abstract class ChunkWork<TResult> : ChunkWork, ITypedWork
{
    public abstract Delegate Function { get; }

    public abstract Array? Items { get; }

    private ArraySegment<TResult> _output;

    /// <summary>Calls the function on item <paramref name="index"/>.</summary>
    protected abstract TResult Invoke(int index);

    /// <summary>Calls the function on item <paramref name="index"/>, for work that wraps this one (<see cref="AsyncWork{TResult}"/>).</summary>
    internal TResult InvokeItem(int index) => Invoke(index);

    /// <summary>Lets go of the function and the items, for work that wraps this one.</summary>
    internal void ReleaseItems() => Release();

    /// <summary>
    /// Drops the function and the items: the work has run, and runs only once. The message that
    /// carried it can stay reachable after the job has ended (Akka's dedicated worker thread keeps
    /// the last message it handled in a stack slot until the next), and it must not keep the
    /// caller's function, arguments or results alive with it. <see cref="ChunkWork.Count"/> stays.
    /// </summary>
    protected abstract void Release();

    /// <summary>
    /// Makes <see cref="Execute"/> write the results into <paramref name="output"/> (the chunk's
    /// part of its job's result array, in process) instead of an array of its own, and returns this
    /// work. Called once, before the work is sent: the message that carries it publishes the field.
    /// </summary>
    public ChunkWork<TResult> WritingTo(ArraySegment<TResult> output)
    {
        if (output.Count != Count)
            throw new ArgumentException($"The output holds {output.Count} items; the chunk has {Count}.", nameof(output));
        _output = output;
        return this;
    }

    public sealed override object Execute(long jobId, long chunkIndex, long offset)
    {
        var output = _output.Array is null ? new ArraySegment<TResult>(new TResult[Count]) : _output;
        var started = MeasureRunTime ? Stopwatch.GetTimestamp() : 0;
        List<ItemFailure>? failures;
        var activity = ChunkTrace.Start(Trace, jobId, chunkIndex, Count);
        try
        {
            failures = RunItems(output.Array!, output.Offset);
        }
        finally
        {
            ListenerGuard.Stop(activity);
        }
        TimeSpan? runTime = MeasureRunTime ? Stopwatch.GetElapsedTime(started) : null;
        _output = default;
        if (!Speculative)
            Release(); // a straggler's copy, in process, may run the same work at once: it keeps what it needs
        return new ChunkResult<TResult>(jobId, chunkIndex, offset, output, failures?.ToArray()) { RunTime = runTime, Retries = TaskScope.Current?.Retries ?? 0 };
    }

    /// <summary>Runs every item, writing item i's value at <c>values[start + i]</c>; returns the items that failed, in index order, or null.</summary>
    /// <remarks>
    /// A cancelled job or chunk (its token, the pool terminated, or a copy that won) runs no further
    /// item: each item first reads the cancellation's generation, one volatile read, asks again only
    /// when something was cancelled since, and the rest fail unrun. Items with a
    /// timeout run on the worker's runner thread instead (<see cref="TimedChunk"/>).
    /// </remarks>
    protected virtual List<ItemFailure>? RunItems(TResult[] values, int start)
    {
        var scope = TaskScope.Current;
        if (Rules is { Timeout: { } timeout } timed && scope is not null)
            return new TimedChunk<TResult>(this, values, start, timed, timeout, scope).Run(scope);
        var count = Count;
        var (cancellation, jobId, chunkIndex) = scope is not null ? (scope.Cancellation, scope.JobId, scope.ChunkIndex) : (null, 0, 0);
        List<ItemFailure>? failures = null;
        var seen = -1; // no generation: the first item asks
        var i = 0;
        // The try block sits outside the hot loop so the loop stays tight; after a failure the
        // loop resumes at the next item, so one bad item never costs the others their results.
        while (i < count)
        {
            try
            {
                for (; i < count; i++)
                {
                    if (cancellation is not null && cancellation.Generation != seen)
                    {
                        seen = cancellation.Generation; // read before asking: a cancellation after it changes it again
                        if (cancellation.IsCancelled(jobId, chunkIndex))
                            return ItemFailure.Unrun(failures, i, count);
                    }
                    values[start + i] = Invoke(i);
                }
            }
            catch (Exception ex)
            {
                var error = Rules is { } rules ? RunAgain(rules, values, start + i, i, ex) : ex;
                if (error is not null)
                    (failures ??= new List<ItemFailure>()).Add(new ItemFailure(i, error));
                i++;
            }
        }
        return failures;
    }

    /// <summary>
    /// Retries item <paramref name="index"/>, which failed with <paramref name="error"/>, writing its
    /// value at <paramref name="at"/>; returns the error to report, or null if an attempt succeeded.
    /// A method of its own so that the hot loop above captures nothing.
    /// </summary>
    private Exception? RunAgain(TaskRules rules, TResult[] values, int at, int index, Exception error) =>
        rules.RunAgain(() => values[at] = Invoke(index), error);

    public sealed override object FailAll(long jobId, long chunkIndex, long offset, Exception error) =>
        new ChunkResult<TResult>(jobId, chunkIndex, offset, new TResult[Count], ItemFailure.Every(Count, error));

    /// <summary>What asking a run work for its function or items is: a bug, since work runs once and is read before.</summary>
    protected static InvalidOperationException Ran() => new("This work has run and let go of its function and items.");
}

/// <summary>A function of no arguments: one item (<c>Apply(func)</c>).</summary>
internal sealed class ThunkWork<TResult>(Func<TResult> func) : ChunkWork<TResult>
{
    private Func<TResult>? _func = func;

    public override int Count => 1;
    public override Delegate Function => _func ?? throw Ran();
    public override Array? Items => null;
    protected override TResult Invoke(int index) => _func!();
    protected override void Release() => _func = null;
}

/// <summary>A function of one argument over items (<c>Map</c>, <c>IMap</c>, <c>Apply(func, a)</c>).</summary>
/// <remarks>
/// The items are a view of one array for the whole job (a Map's private copy of its input, or the
/// caller's own array while a blocking Map waits): chunks in process share it instead of each
/// copying its part, which for a large Map is megabytes of large-object heap, and gen-2
/// collections, saved per call. The pool never writes to that array.
/// </remarks>
internal sealed class MapWork<T, TResult>(Func<T, TResult> func, ArraySegment<T> items) : ChunkWork<TResult>
{
    private Func<T, TResult>? _func = func;
    private T[]? _array = items.Array;
    private readonly int _start = items.Offset;

    public override int Count { get; } = items.Count;
    public override Delegate Function => _func ?? throw Ran();
    public override Array Items => _array is { } array ? array.AsSpan(_start, Count).ToArray() : throw Ran(); // a copy: only encoding for the wire asks, and it copies anyway
    protected override TResult Invoke(int index) => _func!(_array![_start + index]);
    protected override void Release() => (_func, _array) = (null, null);
}

/// <summary>
/// A function of several arguments over tuples (<c>StarMap</c>, <c>Apply(func, a, b, …)</c>): each
/// item's fields are spread into the function's arguments by <paramref name="spread"/>, the one
/// thing that differs between arities (see <see cref="StarWork"/>). Items are a view, as for
/// <see cref="MapWork{T, TResult}"/>.
/// </summary>
internal sealed class StarWork<TFunc, TItem, TResult>(TFunc func, ArraySegment<TItem> items, Func<TFunc, TItem, TResult> spread) : ChunkWork<TResult>
    where TFunc : Delegate
{
    private TFunc? _func = func;
    private TItem[]? _array = items.Array;
    private readonly int _start = items.Offset;

    public override int Count { get; } = items.Count;
    public override Delegate Function => _func ?? throw Ran();
    public override Array Items => _array is { } array ? array.AsSpan(_start, Count).ToArray() : throw Ran();
    protected override TResult Invoke(int index) => spread(_func!, _array![_start + index]);
    protected override void Release() => (_func, _array) = (null, null);
}

/// <summary>
/// <see cref="StarWork{TFunc, TItem, TResult}"/> for each arity a tuple of arguments may have: a
/// new arity is one method here and one shape in <c>WireCodec</c>.
/// </summary>
internal static class StarWork
{
    /// <summary>A function of two arguments over pairs.</summary>
    public static ChunkWork<TResult> Of<T1, T2, TResult>(Func<T1, T2, TResult> func, ArraySegment<(T1, T2)> items, TaskRules? rules = null) =>
        new StarWork<Func<T1, T2, TResult>, (T1, T2), TResult>(func, items, static (f, x) => f(x.Item1, x.Item2)) { Rules = rules };

    /// <summary>A function of three arguments over triples.</summary>
    public static ChunkWork<TResult> Of<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, ArraySegment<(T1, T2, T3)> items, TaskRules? rules = null) =>
        new StarWork<Func<T1, T2, T3, TResult>, (T1, T2, T3), TResult>(func, items, static (f, x) => f(x.Item1, x.Item2, x.Item3)) { Rules = rules };

    /// <summary>A function of four arguments over quadruples.</summary>
    public static ChunkWork<TResult> Of<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> func, ArraySegment<(T1, T2, T3, T4)> items,
        TaskRules? rules = null) =>
        new StarWork<Func<T1, T2, T3, T4, TResult>, (T1, T2, T3, T4), TResult>(func, items, static (f, x) => f(x.Item1, x.Item2, x.Item3, x.Item4)) { Rules = rules };
}
