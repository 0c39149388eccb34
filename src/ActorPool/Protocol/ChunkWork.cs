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

    /// <summary>Calls the function on item <paramref name="index"/>.</summary>
    protected abstract TResult Invoke(int index);

    public sealed override object Execute(long jobId, long chunkIndex, long offset)
    {
        var count = Count;
        var values = new TResult[count];
        List<ItemFailure>? failures = null;
        var i = 0;
        // The try block sits outside the hot loop so the loop stays tight; after a failure the
        // loop resumes at the next item, so one bad item never costs the others their results.
        while (i < count)
        {
            try
            {
                for (; i < count; i++)
                    values[i] = Invoke(i);
            }
            catch (Exception ex)
            {
                (failures ??= new List<ItemFailure>()).Add(new ItemFailure(i, ex));
                i++;
            }
        }
        return new ChunkResult<TResult>(jobId, chunkIndex, offset, values, failures?.ToArray());
    }

    public sealed override object FailAll(long jobId, long chunkIndex, long offset, Exception error)
    {
        var failures = new ItemFailure[Count];
        for (var i = 0; i < failures.Length; i++)
            failures[i] = new ItemFailure(i, error);
        return new ChunkResult<TResult>(jobId, chunkIndex, offset, new TResult[Count], failures);
    }
}

/// <summary>A function of no arguments: one item (<c>Apply(func)</c>).</summary>
internal sealed class ThunkWork<TResult>(Func<TResult> func) : ChunkWork<TResult>
{
    public override int Count => 1;
    public override Delegate Function => func;
    public override Array? Items => null;
    protected override TResult Invoke(int index) => func();
}

/// <summary>A function of one argument over items (<c>Map</c>, <c>IMap</c>, <c>Apply(func, a)</c>).</summary>
internal sealed class MapWork<T, TResult>(Func<T, TResult> func, T[] items) : ChunkWork<TResult>
{
    public override int Count => items.Length;
    public override Delegate Function => func;
    public override Array Items => items;
    protected override TResult Invoke(int index) => func(items[index]);
}

/// <summary>A function of two arguments over pairs (<c>StarMap</c>, <c>Apply(func, a, b)</c>).</summary>
internal sealed class StarMapWork<T1, T2, TResult>(Func<T1, T2, TResult> func, (T1, T2)[] items) : ChunkWork<TResult>
{
    public override int Count => items.Length;
    public override Delegate Function => func;
    public override Array Items => items;
    protected override TResult Invoke(int index) => func(items[index].Item1, items[index].Item2);
}

/// <summary>A function of three arguments over triples (<c>Apply(func, a, b, c)</c>).</summary>
internal sealed class StarMap3Work<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, (T1, T2, T3)[] items) : ChunkWork<TResult>
{
    public override int Count => items.Length;
    public override Delegate Function => func;
    public override Array Items => items;
    protected override TResult Invoke(int index) => func(items[index].Item1, items[index].Item2, items[index].Item3);
}
