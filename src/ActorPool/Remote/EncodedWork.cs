using System.Runtime.Serialization;
using ActorPool.Protocol;

namespace ActorPool.Remote;

/// <summary>
/// Work in its wire form: a function reference (with a closure's captured values) and serialized
/// arguments. It is made on the caller's side, where a value that cannot be serialized fails only
/// its own chunk (CPython's MaybeEncodingError), and decoded only on the worker that runs it. Its
/// result travels back in wire form too, encoded on the worker, where a result that cannot be
/// serialized fails its chunk instead of being dropped by the transport.
/// </summary>
internal sealed class EncodedWork : ChunkWork
{
    public EncodedWork(WireFunction function, byte[] items, int count, EncodedRules? rules)
    {
        Function = function;
        Items = items;
        Count = count;
        EncodedRules = rules;
    }

    /// <summary>The function: its name, and a closure's captured values, which every chunk of the job carries.</summary>
    public WireFunction Function { get; }

    /// <summary>The job's rules for its items (retries, timeout) in wire form; null for none.</summary>
    public EncodedRules? EncodedRules { get; }

    public byte[] Items { get; }

    public override int Count { get; }

    /// <inheritdoc />
    public override long WireBytes => Items.Length + Function.WireBytes;

    /// <inheritdoc />
    public override bool Speculative => EncodedRules?.Speculative == true;

    /// <summary>The wire form of <paramref name="work"/>, or, if its arguments cannot be serialized, work that fails with the reason.</summary>
    public static ChunkWork Encode(ChunkWork work)
    {
        var typed = (ITypedWork)work;
        var function = WireFunction.Of(typed.Function, "func");
        var rules = work.Rules is { } rule
            ? new EncodedRules(rule.Retries, rule.Delay, rule.RetryIf is { } retryIf ? FunctionRef.Create(retryIf, "options.RetryIf") : null, rule.Timeout,
                rule.Speculative)
            : null;
        byte[] items;
        try
        {
            items = WireCodec.EncodeItems(typed.Items);
        }
        catch (Exception ex)
        {
            return new FailedWork(work, new SerializationException(
                $"The arguments of {function.Display} cannot be serialized to be sent to a worker: {ex.Message}", ex));
        }
        return items.Length + function.WireBytes <= MaxWireBytes
            ? new EncodedWork(function, items, work.Count, rules) { Trace = work.Trace, MeasureRunTime = work.MeasureRunTime }
            : new FailedWork(work, new SerializationException(
                $"The arguments of a chunk of {function.Display} take {items.Length} bytes"
                + (function.WireBytes > 0 ? $", and the values it captures {function.WireBytes}," : "")
                + $" over the {MaxWireBytes} a chunk may send; use a smaller chunk size."));
    }

    public override object Execute(long jobId, long chunkIndex, long offset)
    {
        ChunkWork work;
        try
        {
            work = WireCodec.DecodeWork(Function, Items, EncodedRules?.Decode());
            (work.Trace, work.MeasureRunTime) = (Trace, MeasureRunTime);
        }
        catch (Exception ex)
        {
            return FailAll(jobId, chunkIndex, offset, ex);
        }
        var result = (IChunkResult)work.Execute(jobId, chunkIndex, offset);
        byte[] values;
        try
        {
            values = WireCodec.EncodeValues(result.Values);
        }
        catch (Exception ex)
        {
            return FailAll(jobId, chunkIndex, offset, new SerializationException(
                $"The result of {Function.Display} cannot be serialized to be sent back: {ex.Message}", ex));
        }
        if (values.Length > MaxWireBytes)
        {
            return FailAll(jobId, chunkIndex, offset, new SerializationException(
                $"The results of a chunk of {Function.Display} take {values.Length} bytes, over the {MaxWireBytes} a chunk may send back; use a smaller chunk size."));
        }
        // Failures share the frame with the values: whatever a task threw, its chunk's answer fits.
        return new EncodedChunkResult(jobId, chunkIndex, offset, Function.Method, Count, values,
            result.Failures is { } failures
                ? WireFailure.Encode(failures, MaxWireBytes - values.Length)
                : null) { RunTime = result.RunTime, Retries = result.Retries };
    }

    public override object FailAll(long jobId, long chunkIndex, long offset, Exception error) =>
        new EncodedChunkResult(jobId, chunkIndex, offset, Function.Method, Count, [],
            WireFailure.Encode(ItemFailure.Every(Count, error), MaxWireBytes));

    /// <inheritdoc />
    public override object FailUnsent(long jobId, long chunkIndex, long offset, Exception error) =>
        ((EncodedChunkResult)FailAll(jobId, chunkIndex, offset, error)).Decode();
}

/// <summary>A job's rules for its items on the wire: the retry predicate as a function reference, resolved only where the work runs.</summary>
internal sealed record EncodedRules(int Retries, TimeSpan Delay, FunctionRef? RetryIf, TimeSpan? Timeout, bool Speculative = false)
{
    /// <summary>The rule, with its predicate found in this process.</summary>
    /// <exception cref="InvalidOperationException">The predicate cannot be found here.</exception>
    public TaskRules Decode() => new(Retries, Delay, RetryIf is { } retryIf ? WireCodec.DecodePredicate(retryIf) : null, Timeout, Speculative);
}

/// <summary>
/// Work that cannot be sent: its arguments failed to serialize. It never leaves the caller's
/// process: dispatch answers it at once with every item failed.
/// </summary>
internal sealed class FailedWork(ChunkWork original, Exception error) : ChunkWork
{
    public override int Count => original.Count;

    public override bool CannotBeSent => true;

    public override object Execute(long jobId, long chunkIndex, long offset) => original.FailAll(jobId, chunkIndex, offset, error);

    public override object FailAll(long jobId, long chunkIndex, long offset, Exception reason) => original.FailAll(jobId, chunkIndex, offset, reason);
}

/// <summary>A chunk's result in wire form; the receiving side decodes it into a typed <c>ChunkResult&lt;TResult&gt;</c>.</summary>
internal sealed record EncodedChunkResult(long JobId, long ChunkIndex, long Offset, FunctionRef Function, int Count, byte[] Values, WireFailure[]? Failures)
    : IWireMessage, IWireSized
{
    /// <summary>How long the chunk ran on its worker; null when it was not timed or did not run.</summary>
    public TimeSpan? RunTime { get; init; }

    /// <summary>How many times its items were run again after a failure.</summary>
    public int Retries { get; init; }

    /// <inheritdoc />
    /// <remarks>Failures are bounded only by the frame (<see cref="ChunkWork.MaxWireBytes"/>): a result that carries any counts as that large, and so travels alone.</remarks>
    public long WireBytes => Failures is null ? Values.Length + 64 : ChunkWork.MaxWireBytes;

    /// <summary>The typed <c>ChunkResult&lt;TResult&gt;</c>, TResult being the function's return type; a chunk failed as a whole carries no values.</summary>
    public object Decode()
    {
        try
        {
            return WireCodec.DecodeResult(Function, JobId, ChunkIndex, Offset, Values, DecodeFailures(), Count, RunTime, Retries);
        }
        catch (Exception ex) when (Values.Length > 0)
        {
            // Values that were written but cannot be read back here (an abstract result type, say)
            // must fail their chunk, not vanish in the transport while the job waits for them.
            var error = new SerializationException($"The results of a chunk of {Function.Display} cannot be read back: {ex.Message}", ex);
            return WireCodec.DecodeResult(Function, JobId, ChunkIndex, Offset, [],
                ItemFailure.Every(Count, error), Count, RunTime, Retries); // it ran, for as long and with as many retries, all the same
        }
    }

    /// <summary>The failed items, each exception rebuilt once however many items share it (as they do in process).</summary>
    private ItemFailure[]? DecodeFailures()
    {
        if (Failures is null)
            return null;
        var decoded = new Dictionary<WireError, Exception>(ReferenceEqualityComparer.Instance);
        return Failures.Select(failure => new ItemFailure(failure.Index,
            decoded.TryGetValue(failure.Error, out var known) ? known : decoded[failure.Error] = failure.Error.Decode())).ToArray();
    }
}

