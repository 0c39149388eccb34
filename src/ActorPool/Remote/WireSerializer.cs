using System.Reflection;
using System.Buffers;
using System.Runtime.Serialization;
using ActorPool.Observability;
using ActorPool.Protocol;
using Akka.Actor;
using Akka.Serialization;
using MessagePack;

namespace ActorPool.Remote;

/// <summary>
/// The pool's wire format, for every <see cref="IWireMessage"/>: MessagePack written field by
/// field, with a short manifest per message kind. A message's shape is fixed by its manifest, and
/// the values inside a chunk are typed by the function's signature (<see cref="WireCodec"/>).
/// What names code on the wire is limited: a function reference resolves only in the assemblies
/// this process trusts (<see cref="FunctionRef"/>), a closure's captured values fill only the
/// compiler's closure class of such a function (<see cref="ClosureShape"/>), and an exception type
/// name only to an exception type already loaded.
/// </summary>
/// <remarks>
/// Reading never trusts the bytes (a peer that can reach the port can send any): every count is a
/// non-negative number of elements that each take at least one byte still unread (MessagePack's
/// reader checks that), so a frame decodes to a bounded multiple of its own size; a chunk or a
/// result holds no more items than it carries bytes; and whatever is wrong fails with a
/// <see cref="SerializationException"/>, which Akka logs and drops, never with another exception.
/// </remarks>
internal sealed class WireSerializer : SerializerWithStringManifest
{
    /// <summary>Serializer id; must match <c>akka.actor.serialization-identifiers</c> in reference.conf.</summary>
    public const int Id = 7341;

    private const string BatchManifest = "B";
    private const string BatchDoneManifest = "D";
    private const string BatchRefusedManifest = "Q";
    private const string ResultManifest = "R";
    private const string ResultsManifest = "S";
    private const string RoutedResultsManifest = "F";
    private const string GetWorkersManifest = "G";
    private const string NodeWorkersPrefix = "N";
    private const string CancelTasksManifest = "C";
    private const string WorkerRetiringManifest = "W";
    private const string TakeBackManifest = "T";
    private const string TakenBackManifest = "K";

    public WireSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>
    /// The version of ActorPool this process runs (its assembly's informational version). A node's
    /// <see cref="NodeWorkers"/>, the first message of its own that a pool reads from it, carries it
    /// in its manifest, so that a pool uses only nodes of its own version: another one's messages
    /// may differ in shape, and results it could not read would leave their jobs waiting.
    /// </summary>
    public static string Version { get; } =
        typeof(WireSerializer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static readonly string NodeWorkersManifest = NodeWorkersPrefix + Version;

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        RunBatch => BatchManifest,
        BatchDone => BatchDoneManifest,
        BatchRefused => BatchRefusedManifest,
        EncodedChunkResult => ResultManifest,
        ChunkResults => ResultsManifest,
        RoutedResults => RoutedResultsManifest,
        GetWorkers => GetWorkersManifest,
        NodeWorkers => NodeWorkersManifest,
        CancelTasks => CancelTasksManifest,
        WorkerRetiring => WorkerRetiringManifest,
        TakeBack => TakeBackManifest,
        TakenBack => TakenBackManifest,
        _ => throw new ArgumentException($"{nameof(WireSerializer)} cannot serialize {o.GetType()}.", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        switch (obj)
        {
            case RunBatch batch:
                writer.Write(batch.BatchId);
                WriteChunks(ref writer, batch.Chunks);
                WriteTerms(ref writer, batch.Terms);
                break;
            case BatchDone done:
                WriteBatchDone(ref writer, done);
                break;
            case BatchRefused refused:
                writer.Write(refused.BatchId);
                break;
            case TakeBack take:
                writer.Write(Akka.Serialization.Serialization.SerializedActorPath(take.Worker));
                writer.WriteArrayHeader(take.BatchIds.Length);
                foreach (var id in take.BatchIds)
                    writer.Write(id);
                break;
            case TakenBack taken:
                writer.Write(Akka.Serialization.Serialization.SerializedActorPath(taken.Worker));
                writer.WriteArrayHeader(taken.BatchIds.Length);
                for (var i = 0; i < taken.BatchIds.Length; i++)
                {
                    writer.WriteArrayHeader(2);
                    writer.Write(taken.BatchIds[i]);
                    writer.Write(taken.Kept[i]);
                }
                break;
            case EncodedChunkResult result:
                WriteResult(ref writer, result);
                break;
            case ChunkResults results:
                writer.WriteArrayHeader(results.Results.Length);
                foreach (var one in results.Results)
                    WriteResult(ref writer, Encoded(one));
                break;
            case RoutedResults routed:
                writer.WriteArrayHeader(routed.Results.Length);
                for (var i = 0; i < routed.Results.Length; i++)
                {
                    writer.Write(Akka.Serialization.Serialization.SerializedActorPath(routed.ReplyTo[i]));
                    WriteResult(ref writer, Encoded(routed.Results[i]));
                }
                if (routed.Done is { } ended)
                    WriteBatchDone(ref writer, ended);
                else
                    writer.WriteNil();
                break;
            case GetWorkers or WorkerRetiring:
                writer.WriteNil();
                break;
            case NodeWorkers node:
                writer.WriteArrayHeader(node.Workers.Length);
                foreach (var worker in node.Workers)
                    writer.Write(Akka.Serialization.Serialization.SerializedActorPath(worker));
                writer.Write(node.PlanePort);
                break;
            case CancelTasks cancel:
                writer.WriteArrayHeader(2);
                WriteOrNil(ref writer, cancel.JobId);
                WriteOrNil(ref writer, cancel.ChunkIndex);
                break;
            default:
                throw new ArgumentException($"{nameof(WireSerializer)} cannot serialize {obj.GetType()}.", nameof(obj));
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            return Read(bytes, manifest);
        }
        catch (Exception ex) when (ex is not SerializationException and not OutOfMemoryException)
        {
            // MessagePack's own (end of data, a wrong type code), a function not found here, a bad path.
            throw new SerializationException($"Malformed ActorPool message '{manifest}': {ex.Message}", ex);
        }
    }

    private object Read(byte[] bytes, string manifest)
    {
        if (manifest.StartsWith(NodeWorkersPrefix, StringComparison.Ordinal) && manifest != NodeWorkersManifest)
            return new NodeOfAnotherVersion(manifest[NodeWorkersPrefix.Length..], Version); // nothing else of it is read
        var reader = new MessagePackReader(bytes);
        switch (manifest)
        {
            case BatchManifest:
                var batchId = reader.ReadInt64();
                var chunks = ReadChunks(ref reader);
                return new RunBatch(batchId, chunks, ReadTerms(ref reader)) { FrameBytes = bytes.Length };
            case BatchDoneManifest:
                return ReadBatchDone(ref reader);
            case BatchRefusedManifest:
                return new BatchRefused(reader.ReadInt64());
            case TakeBackManifest:
                var holder = ReadActorRef(ref reader);
                var asked = new long[ReadCount(ref reader)];
                for (var i = 0; i < asked.Length; i++)
                    asked[i] = reader.ReadInt64();
                return new TakeBack(holder, asked);
            case TakenBackManifest:
                var worker = ReadActorRef(ref reader);
                var batches = ReadCount(ref reader);
                var takenIds = new long[batches];
                var kept = new int[batches];
                for (var i = 0; i < batches; i++)
                {
                    Expect(reader.ReadArrayHeader(), 2);
                    takenIds[i] = reader.ReadInt64();
                    kept[i] = NotNegative(reader.ReadInt32(), "kept chunks");
                }
                return new TakenBack(worker, takenIds, kept);
            case ResultManifest:
                return ReadResult(ref reader);
            case ResultsManifest:
                var results = new object[ReadCount(ref reader)];
                for (var i = 0; i < results.Length; i++)
                    results[i] = ReadResult(ref reader);
                return new ChunkResults(results);
            case RoutedResultsManifest:
                var count = ReadCount(ref reader);
                var replyTo = new IActorRef[count];
                var routedResults = new object[count];
                for (var i = 0; i < count; i++)
                {
                    replyTo[i] = ReadActorRef(ref reader);
                    routedResults[i] = ReadResult(ref reader);
                }
                // A sender of the layout before Done (a build without a commit in its version) ends here.
                return new RoutedResults(replyTo, routedResults, reader.End || reader.TryReadNil() ? null : ReadBatchDone(ref reader));
            case GetWorkersManifest:
                return GetWorkers.Instance;
            case WorkerRetiringManifest:
                return WorkerRetiring.Instance;
            case var _ when manifest == NodeWorkersManifest:
                var workers = new IActorRef[ReadCount(ref reader)];
                for (var i = 0; i < workers.Length; i++)
                    workers[i] = ReadActorRef(ref reader);
                var planePort = reader.ReadInt32();
                if (planePort is < 0 or > 65535)
                    throw new SerializationException($"A data plane port of {planePort}.");
                return new NodeWorkers(workers, planePort);
            case CancelTasksManifest:
                Expect(reader.ReadArrayHeader(), 2);
                long? cancelledJob = reader.TryReadNil() ? null : reader.ReadInt64();
                return new CancelTasks(cancelledJob, reader.TryReadNil() ? null : reader.ReadInt64());
            default:
                throw new SerializationException($"Unknown {nameof(WireSerializer)} manifest '{manifest}'.");
        }
    }

    /// <summary>A <see cref="BatchDone"/>: on its own, or after the results it ends (<see cref="RoutedResults.Done"/>).</summary>
    private static void WriteBatchDone(ref MessagePackWriter writer, BatchDone done)
    {
        writer.Write(done.BatchId);
        WriteChunks(ref writer, done.Returned);
        writer.Write(done.Kept);
    }

    private BatchDone ReadBatchDone(ref MessagePackReader reader)
    {
        var batchId = reader.ReadInt64();
        var returned = ReadChunks(ref reader);
        return new BatchDone(batchId, returned, NotNegative(reader.ReadInt32(), "kept chunks"));
    }

    private static void WriteChunks(ref MessagePackWriter writer, RunChunk[] chunks)
    {
        writer.WriteArrayHeader(chunks.Length);
        foreach (var chunk in chunks)
        {
            // Work is encoded where it is made (EncodedWork.Encode), so nothing here can fail on user data.
            if (chunk.Work is not EncodedWork work)
                throw new SerializationException($"Chunk {chunk.ChunkIndex} of job {chunk.JobId} was not encoded for the wire.");
            writer.WriteArrayHeader(10);
            writer.Write(chunk.JobId);
            writer.Write(chunk.ChunkIndex);
            writer.Write(chunk.Offset);
            writer.Write(Akka.Serialization.Serialization.SerializedActorPath(chunk.ReplyTo));
            WriteFunction(ref writer, work.Function);
            writer.Write(work.Count);
            writer.Write(work.Items);
            WriteRules(ref writer, work.EncodedRules);
            writer.Write(ChunkTrace.Format(work.Trace)); // nil when the job is not traced
            writer.Write(work.MeasureRunTime);
        }
    }

    private RunChunk[] ReadChunks(ref MessagePackReader reader)
    {
        var chunks = new RunChunk[ReadCount(ref reader)];
        for (var i = 0; i < chunks.Length; i++)
        {
            Expect(reader.ReadArrayHeader(), 10);
            var jobId = reader.ReadInt64();
            var chunkIndex = reader.ReadInt64();
            var offset = reader.ReadInt64();
            var replyTo = ReadActorRef(ref reader);
            var function = ReadWireFunction(ref reader);
            var count = reader.ReadInt32();
            var items = ReadBytes(ref reader);
            // Each item takes a byte at least, and a function of no arguments runs once with none.
            if (count < 0 || count > Math.Max(1, items.Length))
                throw new SerializationException($"Malformed ActorPool message: a chunk of {count} items in {items.Length} bytes.");
            var rules = ReadRules(ref reader);
            var trace = ChunkTrace.Parse(reader.ReadString()); // a malformed one is no trace, not a lost chunk
            var timed = reader.ReadBoolean();
            chunks[i] = new RunChunk(jobId, chunkIndex, offset, new EncodedWork(function, items, count, rules) { Trace = trace, MeasureRunTime = timed }, replyTo);
        }
        return chunks;
    }

    /// <summary>A result inside a message of several, which a worker in another process encoded where it ran.</summary>
    private static EncodedChunkResult Encoded(object result) =>
        result as EncodedChunkResult ?? throw new SerializationException($"A result of {result.GetType()} was not encoded for the wire.");

    private static void WriteResult(ref MessagePackWriter writer, EncodedChunkResult result)
    {
        writer.WriteArrayHeader(9);
        writer.Write(result.JobId);
        writer.Write(result.ChunkIndex);
        writer.Write(result.Offset);
        WriteFunction(ref writer, result.Function);
        writer.Write(result.Count);
        writer.Write(result.Values);
        WriteOrNil(ref writer, result.RunTime?.Ticks);
        writer.Write(result.Retries);
        if (result.Failures is null)
        {
            writer.WriteNil();
            return;
        }
        // [errors, items]: each distinct error once, then each failed item as [index, error number],
        // so a chunk whose items all failed with one exception carries it once.
        var numbers = new Dictionary<WireError, int>(ReferenceEqualityComparer.Instance);
        foreach (var failure in result.Failures)
            numbers.TryAdd(failure.Error, numbers.Count);
        writer.WriteArrayHeader(2);
        writer.WriteArrayHeader(numbers.Count);
        foreach (var error in numbers.Keys)
            WriteError(ref writer, error);
        writer.WriteArrayHeader(result.Failures.Length);
        foreach (var failure in result.Failures)
        {
            writer.WriteArrayHeader(2);
            writer.Write(failure.Index);
            writer.Write(numbers[failure.Error]);
        }
    }

    private static void WriteError(ref MessagePackWriter writer, WireError error)
    {
        writer.WriteArrayHeader(6);
        writer.Write(error.Type);
        writer.Write(error.Message);
        writer.Write(error.StackTrace);
        writer.Write(error.ParamName);
        writer.Write(error.ActualValue);
        writer.WriteArrayHeader(error.Inner.Length);
        foreach (var inner in error.Inner)
            WriteError(ref writer, inner);
    }

    private static WireError ReadError(ref MessagePackReader reader, int depth)
    {
        if (depth > WireError.MaxDepth)
            throw new SerializationException($"Malformed ActorPool message: inner exceptions nested deeper than {WireError.MaxDepth}.");
        Expect(reader.ReadArrayHeader(), 6);
        var type = ReadText(ref reader);
        var message = ReadText(ref reader);
        var stackTrace = reader.ReadString();
        var paramName = reader.ReadString();
        var actualValue = reader.ReadString();
        var inner = new WireError[ReadCount(ref reader)];
        for (var i = 0; i < inner.Length; i++)
            inner[i] = ReadError(ref reader, depth + 1);
        return new WireError(type, message, stackTrace, paramName, actualValue, inner);
    }

    private static object ReadResult(ref MessagePackReader reader)
    {
        Expect(reader.ReadArrayHeader(), 9);
        var jobId = reader.ReadInt64();
        var chunkIndex = reader.ReadInt64();
        var offset = reader.ReadInt64();
        var function = ReadFunction(ref reader);
        var count = NotNegative(reader.ReadInt32(), "items");
        var values = ReadBytes(ref reader);
        long? runTicks = reader.TryReadNil() ? null : reader.ReadInt64();
        if (runTicks < 0)
            throw new SerializationException($"Malformed ActorPool message: a chunk ran for {runTicks} ticks.");
        var retries = reader.ReadInt32();
        if (retries < 0)
            throw new SerializationException($"Malformed ActorPool message: a chunk's items were retried {retries} times.");
        WireFailure[]? failures = null;
        if (!reader.TryReadNil())
        {
            Expect(reader.ReadArrayHeader(), 2);
            var errors = new WireError[ReadCount(ref reader)];
            for (var i = 0; i < errors.Length; i++)
                errors[i] = ReadError(ref reader, depth: 0);
            failures = new WireFailure[ReadCount(ref reader)];
            for (var i = 0; i < failures.Length; i++)
            {
                Expect(reader.ReadArrayHeader(), 2);
                var index = reader.ReadInt32();
                var number = reader.ReadInt32();
                if ((uint)number >= (uint)errors.Length)
                    throw new SerializationException($"Malformed ActorPool message: failure refers to error {number} of {errors.Length}.");
                if ((uint)index >= (uint)count)
                    throw new SerializationException($"Malformed ActorPool message: failure of item {index} of {count}.");
                failures[i] = new WireFailure(index, errors[number]);
            }
        }
        // A chunk's values take a byte each at least, and one failed as a whole lists each item's
        // failure: a count above both would only make the reader allocate what was never sent.
        if (count > Math.Max(values.Length, failures?.Length ?? 0))
            throw new SerializationException($"Malformed ActorPool message: a result of {count} items in {values.Length} bytes.");
        return new EncodedChunkResult(jobId, chunkIndex, offset, function, count, values, failures)
        {
            RunTime = runTicks is { } ticks ? TimeSpan.FromTicks(ticks) : null,
            Retries = retries,
        }.Decode();
    }

    /// <remarks>The initializer was checked, and a closure's values read, when the pool was made (<c>options.Initializer</c>, <see cref="WireFunction.Freeze{TFunc}"/>).</remarks>
    private static void WriteTerms(ref MessagePackWriter writer, WorkerTerms? terms)
    {
        if (terms is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteArrayHeader(2);
        if (terms.Initializer is { } initializer)
            WriteFunction(ref writer, WireFunction.Of(initializer, "options.Initializer"));
        else
            writer.WriteNil();
        WriteOrNil(ref writer, terms.MaxTasks);
    }

    /// <summary>
    /// Reads a pool's worker terms. An initializer that cannot be found here is not the message's
    /// failure, which would lose the batch, but the initializer's: it throws why when run, and the
    /// pool's tasks on this worker fail with that, as with any initializer that throws.
    /// </summary>
    private static WorkerTerms? ReadTerms(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
            return null;
        Expect(reader.ReadArrayHeader(), 2);
        Action? initializer = null;
        if (!reader.TryReadNil())
        {
            var reference = ReadWireFunction(ref reader);
            initializer = WireCodec.DecodeInitializer(reference);
        }
        int? maxTasks = reader.TryReadNil() ? null : reader.ReadInt32();
        if (maxTasks < 1)
            throw new SerializationException($"Malformed ActorPool message: MaxTasksPerChild {maxTasks}.");
        return new WorkerTerms(initializer, maxTasks);
    }

    private static int NotNegative(int value, string what) =>
        value >= 0 ? value : throw new SerializationException($"Malformed ActorPool message: {value} {what}.");

    private static void WriteRules(ref MessagePackWriter writer, EncodedRules? rules)
    {
        if (rules is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteArrayHeader(5);
        writer.Write(rules.Retries);
        writer.Write(rules.Delay.Ticks);
        if (rules.RetryIf is { } retryIf)
            WriteFunction(ref writer, retryIf);
        else
            writer.WriteNil();
        WriteOrNil(ref writer, rules.Timeout?.Ticks);
        writer.Write(rules.Speculative);
    }

    /// <summary>A number, or nil for none (MessagePack writes the smallest form of either width, so an int reads back as one).</summary>
    private static void WriteOrNil(ref MessagePackWriter writer, long? value)
    {
        if (value is { } number)
            writer.Write(number);
        else
            writer.WriteNil();
    }

    private static EncodedRules? ReadRules(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
            return null;
        Expect(reader.ReadArrayHeader(), 5);
        var retries = reader.ReadInt32();
        var delay = reader.ReadInt64();
        if (retries < 0 || delay < 0)
            throw new SerializationException($"Malformed ActorPool message: {retries} retries after {delay} ticks.");
        var retryIf = reader.TryReadNil() ? null : ReadFunction(ref reader);
        long? timeout = reader.TryReadNil() ? null : reader.ReadInt64();
        if (timeout <= 0)
            throw new SerializationException($"Malformed ActorPool message: a task timeout of {timeout} ticks.");
        var timeSpan = timeout is { } ticks ? TimeSpan.FromTicks(ticks) : (TimeSpan?)null;
        return new EncodedRules(retries, TimeSpan.FromTicks(delay), retryIf, timeSpan, reader.ReadBoolean());
    }

    private static void WriteFunction(ref MessagePackWriter writer, FunctionRef function)
    {
        writer.WriteArrayHeader(4);
        writer.Write(function.AssemblyName);
        writer.Write(function.ModuleVersionId.ToByteArray());
        writer.Write(function.MetadataToken);
        writer.Write(function.Display);
    }

    private static FunctionRef ReadFunction(ref MessagePackReader reader)
    {
        Expect(reader.ReadArrayHeader(), 4);
        return new FunctionRef(ReadText(ref reader), new Guid(ReadBytes(ref reader)), reader.ReadInt32(), ReadText(ref reader));
    }

    /// <summary>A function as work carries it: [its name, its captured values or nil]. Results carry the name alone.</summary>
    private static void WriteFunction(ref MessagePackWriter writer, WireFunction function)
    {
        writer.WriteArrayHeader(2);
        WriteFunction(ref writer, function.Method);
        writer.Write(function.Captures); // nil when it captures nothing
    }

    /// <summary>Reads what <see cref="WriteFunction(ref MessagePackWriter, WireFunction)"/> wrote; the values are decoded only where the work runs.</summary>
    private static WireFunction ReadWireFunction(ref MessagePackReader reader)
    {
        Expect(reader.ReadArrayHeader(), 2);
        var method = ReadFunction(ref reader);
        return new WireFunction(method, reader.TryReadNil() ? null : ReadBytes(ref reader));
    }

    private IActorRef ReadActorRef(ref MessagePackReader reader) => system.Provider.ResolveActorRef(ReadText(ref reader));

    /// <summary>A string that must be there (nil is malformed).</summary>
    private static string ReadText(ref MessagePackReader reader) =>
        reader.ReadString() ?? throw new SerializationException("Malformed ActorPool message: nil where a string belongs.");

    /// <summary>
    /// An array's element count: never negative (MessagePack reads a count of 2^31 or more as one),
    /// and never more than the bytes left, which MessagePack's reader checks.
    /// </summary>
    private static int ReadCount(ref MessagePackReader reader) => NotNegative(reader.ReadArrayHeader(), "elements");

    private static byte[] ReadBytes(ref MessagePackReader reader) => reader.ReadBytes()?.ToArray() ?? [];

    private static void Expect(int actual, int expected)
    {
        if (actual != expected)
            throw new SerializationException($"Malformed ActorPool message: expected {expected} fields, found {actual}.");
    }
}
