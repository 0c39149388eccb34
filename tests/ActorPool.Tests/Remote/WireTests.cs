using System.Diagnostics;
using System.Runtime.Serialization;
using ActorPool.Protocol;
using ActorPool.Remote;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorPool.Tests.Remote;

/// <summary>What crosses the wire, and what is refused before it could.</summary>
public sealed partial class WireTests : TestKit
{
    public WireTests() => WireSetup.Register(Sys);

    internal static int AddOne(int x) => x + 1;

    internal static int Throws(int x) => throw new FormatException($"bad {x}");

    internal static Unserializable MakeUnserializable(int x) => new();

    internal static int TakesUnserializable(Unserializable value) => 0;

    public sealed class Unserializable
    {
        // MessagePack has no wire form for a delegate; declared as object, the value decides, so it fails when written.
        public object Callback { get; set; } = new Action(() => { });
    }

    private object RoundTrip(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<WireSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
    }

    private ChunkResult<TResult> RunRemotely<T, TResult>(Func<T, TResult> func, T[] items) => RunRemotely(new MapWork<T, TResult>(func, items));

    /// <summary>Sends <paramref name="typed"/> in a batch across the wire, runs it on the other side, and brings its result back.</summary>
    private ChunkResult<TResult> RunRemotely<TResult>(ChunkWork<TResult> typed) => RunEncoded<TResult>(EncodedWork.Encode(typed));

    /// <summary>The same for work already in wire form (or failed to encode).</summary>
    private ChunkResult<TResult> RunEncoded<TResult>(ChunkWork work)
    {
        var batch = (RunBatch)RoundTrip(new RunBatch(1, [new RunChunk(7, 3, 30, work, TestActor)]));
        var chunk = Assert.Single(batch.Chunks);
        Assert.Equal((7L, 3, 30), (chunk.JobId, chunk.ChunkIndex, chunk.Offset));
        Assert.Equal(TestActor, chunk.ReplyTo);
        var result = chunk.Work.Execute(chunk.JobId, chunk.ChunkIndex, chunk.Offset);
        return Assert.IsType<ChunkResult<TResult>>(RoundTrip(result));
    }

    [Fact]
    public void TraceContextAndRunTime_CrossTheWire_TheChunkRunsInTheJobsTrace()
    {
        var job = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var work = EncodedWork.Encode(new MapWork<string, string>(TraceOfTask, new[] { "a", "b" }) { Trace = job, MeasureRunTime = true });
        var chunk = Assert.Single(((RunBatch)RoundTrip(new RunBatch(1, [new RunChunk(7, 0, 0, work, TestActor)]))).Chunks);
        Assert.Equal((job.TraceId, job.SpanId, job.TraceFlags), (chunk.Work.Trace.TraceId, chunk.Work.Trace.SpanId, chunk.Work.Trace.TraceFlags));
        var result = Assert.IsType<ChunkResult<string>>(RoundTrip(chunk.Work.Execute(7, 0, 0)));
        Assert.Equal([job.TraceId.ToHexString(), job.TraceId.ToHexString()], result.Values);
        Assert.NotNull(result.RunTime);
        Assert.Null(Assert.IsType<ChunkResult<string>>(RoundTrip(chunk.Work.FailAll(7, 0, 0, new InvalidOperationException()))).RunTime); // never ran
        var untraced = Assert.Single(((RunBatch)RoundTrip(new RunBatch(2, [new RunChunk(7, 0, 0, EncodedWork.Encode(new MapWork<int, int>(AddOne, new[] { 1 })), TestActor)]))).Chunks);
        Assert.Equal(default, untraced.Work.Trace);
        Assert.False(untraced.Work.MeasureRunTime);
        Assert.Null(Assert.IsType<ChunkResult<int>>(RoundTrip(untraced.Work.Execute(7, 0, 0))).RunTime); // nobody wanted its time: no clock was read
    }

    internal static string TraceOfTask(string item) => Activity.Current?.TraceId.ToHexString() ?? "none";

    [Fact]
    public void StaticFunction_RunsAfterTheRoundTripAndItsResultComesBackTyped()
    {
        var result = RunRemotely<int, int>(AddOne, [1, 2, 3]);
        Assert.Equal([2, 3, 4], result.Values);
        Assert.Null(result.Failures);
    }

    [Fact]
    public void NodeWorkers_FromANodeOfThisVersion_AreRead_AndFromAnotherVersion_AreNamedAsSuchAndNotRead()
    {
        var workers = Assert.IsType<NodeWorkers>(RoundTrip(new NodeWorkers([TestActor])));
        Assert.Equal([TestActor], workers.Workers);
        var serializer = Sys.Serialization.FindSerializerFor(workers);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, workers);
        Assert.EndsWith(WireSerializer.Version, manifest);
        var other = Assert.IsType<NodeOfAnotherVersion>(Sys.Serialization.Deserialize([0xff], serializer.Identifier, "N0.1.0-older"));
        Assert.Equal(new NodeOfAnotherVersion("0.1.0-older", WireSerializer.Version), other);
        Assert.IsType<NodeOfAnotherVersion>(Sys.Serialization.Deserialize(serializer.ToBinary(workers), serializer.Identifier, "N")); // before versions were named
    }

    [Fact]
    public void FunctionRef_ReadWithAnotherName_IsTheSameMethod_SoNamesFromTheWireCannotGrowTheCaches()
    {
        var reference = FunctionRef.Create((Func<int, int>)AddOne, "func");
        var renamed = reference with { Display = "Anything.AStrangerWrote" };
        Assert.Equal(reference, renamed);
        Assert.Equal(reference.GetHashCode(), renamed.GetHashCode());
        Assert.NotEqual(reference, reference with { MetadataToken = reference.MetadataToken + 1 });
        Assert.Equal(reference.Resolve(), renamed.Resolve());
    }

    internal static string Describe(int a, string b, double c, DateTime d) => $"{a}|{b}|{c}|{d:yyyy-MM-dd}";

    [Fact]
    public void FourArgumentFunction_ItsTuplesRoundTripAsItsParameterTypesAndItsResultComesBackTyped()
    {
        var result = RunRemotely(StarWork.Of<int, string, double, DateTime, string>(Describe,
            new[] { (1, "a", 0.5, new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Utc)), (-2, "", double.MaxValue, DateTime.UnixEpoch) }));
        Assert.Equal([$"1|a|{0.5}|2024-02-29", $"-2||{double.MaxValue}|1970-01-01"], result.Values);
        Assert.Null(result.Failures);
    }

    internal static int FailsOnFour(int a, int b, int c, int d) => d == 4 ? throw new FormatException($"bad {a}{b}{c}{d}") : a + b + c + d;

    [Fact]
    public void FourArgumentFunction_FailedItem_ComesBackAsTheSameExceptionTypeAndTheOthersValues()
    {
        var result = RunRemotely(StarWork.Of<int, int, int, int, int>(FailsOnFour, new[] { (1, 2, 3, 3), (1, 2, 3, 4) }));
        Assert.Equal(9, result.Values[0]);
        var failure = Assert.Single(result.Failures!);
        Assert.Equal(1, failure.Index);
        Assert.Equal("bad 1234", Assert.IsType<FormatException>(failure.Error).Message);
    }

    [Fact]
    public void ResultsOfSeveralChunks_TravelAsOneMessageAndComeBackTypedInOrder()
    {
        var results = Enumerable.Range(0, 3)
            .Select(i => EncodedWork.Encode(new MapWork<int, int>(AddOne, new[] { i, 10 * i })).Execute(7, i, 2 * i))
            .ToArray();
        var back = Assert.IsType<ChunkResults>(RoundTrip(new ChunkResults(results)));
        Assert.Equal([(0L, new[] { 1, 1 }), (1L, new[] { 2, 11 }), (2L, new[] { 3, 21 })],
            back.Results.Cast<ChunkResult<int>>().Select(result => (result.ChunkIndex, result.Values.ToArray())));
    }

    [Fact]
    public void ResultsRoutedThroughARouter_TravelAsOneMessageWithTheirReplyAddresses()
    {
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        var results = Enumerable.Range(0, 3)
            .Select(i => EncodedWork.Encode(new MapWork<int, int>(AddOne, new[] { i })).Execute(i, 0, 0))
            .ToArray();
        var back = Assert.IsType<RoutedResults>(RoundTrip(new RoutedResults([first.Ref, second.Ref, first.Ref], results)));
        Assert.Equal([first.Ref, second.Ref, first.Ref], back.ReplyTo);
        Assert.Equal([(0L, 1), (1L, 2), (2L, 3)], back.Results.Cast<ChunkResult<int>>().Select(result => (result.JobId, result.Values[0])));
    }

    [Fact]
    public void ResultsRoutedWithTheirBatchEnd_TravelAsOneMessage()
    {
        var result = EncodedWork.Encode(new MapWork<int, int>(AddOne, new[] { 4 })).Execute(3, 0, 0);
        var back = Assert.IsType<RoutedResults>(RoundTrip(new RoutedResults([TestActor], [result], new BatchDone(9, [], Kept: 1))));
        Assert.Equal(5, Assert.IsType<ChunkResult<int>>(Assert.Single(back.Results)).Values[0]);
        Assert.Equal((9L, 1), (back.Done!.BatchId, back.Done.Kept));
        Assert.Empty(back.Done.Returned);
    }

    [Fact]
    public void ResultsRoutedInTheLayoutBeforeTheirBatchEnd_StillRead()
    {
        var result = EncodedWork.Encode(new MapWork<int, int>(AddOne, new[] { 4 })).Execute(3, 0, 0);
        var message = new RoutedResults([TestActor], [result]);
        var serializer = (Akka.Serialization.SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        Assert.Equal(0xC0, bytes[^1]); // nil: no batch end; a sender of the older layout wrote nothing there

        var back = Assert.IsType<RoutedResults>(serializer.FromBinary(bytes[..^1], serializer.Manifest(message)));

        Assert.Equal(5, Assert.IsType<ChunkResult<int>>(Assert.Single(back.Results)).Values[0]);
        Assert.Null(back.Done);
    }

    [Fact]
    public void LambdaCapturingNothing_TravelsByReference()
    {
        var result = RunRemotely<int, string>(x => $"<{x}>", [1, 2]);
        Assert.Equal(["<1>", "<2>"], result.Values);
    }

    [Fact]
    public void CapturingLambda_IsRefusedWithAMessageNamingItAndTheRemedy()
    {
        var offset = 10;
        Func<int, int> capturing = x => x + offset;
        var error = Assert.Throws<ArgumentException>(() => FunctionRef.Create(capturing, "func"));
        Assert.Equal("func", error.ParamName);
        Assert.Contains("captures variables", error.Message);
        Assert.Contains(nameof(CapturingLambda_IsRefusedWithAMessageNamingItAndTheRemedy), error.Message);
        Assert.Contains("static method", error.Message);
    }

    [Fact]
    public void InstanceMethod_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => FunctionRef.Create(new Func<string, bool>("abc".Contains), "func"));
        Assert.Contains("instance method", error.Message);
    }

    [Fact]
    public void FailedItem_ComesBackAsTheSameExceptionTypeWithTheRemoteStack()
    {
        var result = RunRemotely<int, int>(Throws, [5]);
        var failure = Assert.Single(result.Failures!);
        var error = Assert.IsType<FormatException>(failure.Error);
        Assert.Equal("bad 5", error.Message);
        Assert.Contains(nameof(Throws), error.StackTrace);
    }

    [Fact]
    public void UnserializableArgument_FailsItsChunkBeforeSending()
    {
        var work = EncodedWork.Encode(new MapWork<Unserializable, int>(TakesUnserializable, new[] { new Unserializable() }));
        var result = Assert.IsType<ChunkResult<int>>(work.Execute(1, 0, 0));
        Assert.IsType<SerializationException>(Assert.Single(result.Failures!).Error);
    }

    [Fact]
    public void UnserializableResult_FailsItsChunkWithAClearError()
    {
        var result = RunRemotely<int, Unserializable>(MakeUnserializable, [1, 2]);
        Assert.Equal(2, result.Failures!.Length);
        var error = Assert.IsType<SerializationException>(result.Failures[0].Error);
        Assert.Contains(nameof(MakeUnserializable), error.Message);
    }

    [Fact]
    public void FunctionFromTheWire_InAnAssemblyNotTrusted_IsNotResolved()
    {
        // What a hostile peer could send: a reference to a framework method, with the genuine
        // module version. It must not resolve, let alone run.
        var delete = typeof(File).GetMethod(nameof(File.Delete), [typeof(string)])!;
        var forged = new FunctionRef(delete.Module.Assembly.FullName!, delete.Module.ModuleVersionId, delete.MetadataToken, "System.IO.File.Delete");
        var error = Assert.Throws<InvalidOperationException>(() => forged.Resolve());
        Assert.Contains("not one this process trusts", error.Message);
        var work = new EncodedWork(new WireFunction(forged, Captures: null), WireCodec.EncodeItems(new[] { "/tmp/anything" }), 1, rules: null);
        Assert.Throws<InvalidOperationException>(() => ((EncodedChunkResult)work.Execute(1, 0, 0)).Decode());
    }

    internal static int FailsFirstTime(int x) => PoolContext.Attempt == 1 ? throw new TimeoutException("first") : x * PoolContext.Attempt;

    internal static bool IsTimeout(Exception error) => error is TimeoutException;

    [Fact]
    public void TaskRules_TravelWithTheWorkAndRunOnTheOtherSide()
    {
        var work = EncodedWork.Encode(new MapWork<int, int>(FailsFirstTime, new[] { 5 })
        {
            Rules = new TaskRules(2, TimeSpan.FromMilliseconds(1), IsTimeout, TimeSpan.FromMinutes(1)),
        });
        var chunk = Assert.Single(((RunBatch)RoundTrip(new RunBatch(1, [new RunChunk(7, 0, 0, work, TestActor)]))).Chunks);
        Assert.Equal(new EncodedRules(2, TimeSpan.FromMilliseconds(1), FunctionRef.Create((Func<Exception, bool>)IsTimeout, "retryIf"), TimeSpan.FromMinutes(1)),
            ((EncodedWork)chunk.Work).EncodedRules);
        using var scope = new TaskScope(asyncItems: 1, pool: null);
        scope.Begin(new TaskCancellation(), 7, 0);
        try
        {
            var result = Assert.IsType<ChunkResult<int>>(RoundTrip(chunk.Work.Execute(7, 0, 0)));
            Assert.Equal([10], result.Values); // its second attempt
        }
        finally
        {
            scope.End();
        }
    }

    [Fact]
    public void CancelTasks_RoundTripsOneJobOrAll()
    {
        Assert.Equal(new CancelTasks(42), RoundTrip(new CancelTasks(42)));
        Assert.Equal(new CancelTasks(null), RoundTrip(new CancelTasks(null)));
        Assert.Equal(new CancelTasks(42, 7), RoundTrip(new CancelTasks(42, 7)));
    }

    internal static void NoteInitialized() { }

    [Fact]
    public void TakeBackMessages_RoundTrip()
    {
        var take = (TakeBack)RoundTrip(new TakeBack(TestActor, [3, 4]));
        Assert.Equal(TestActor, take.Worker);
        Assert.Equal([3L, 4L], take.BatchIds);
        var taken = (TakenBack)RoundTrip(new TakenBack(TestActor, [3, 4], [1, 0]));
        Assert.Equal([3L, 4L], taken.BatchIds);
        Assert.Equal([1, 0], taken.Kept);
        Assert.Empty(((TakenBack)RoundTrip(new TakenBack(TestActor, [], []))).BatchIds); // nothing taken: all has started
        Assert.Same(WorkerRetiring.Instance, RoundTrip(WorkerRetiring.Instance));
        var done = (BatchDone)RoundTrip(new BatchDone(9, [], 2));
        Assert.Equal((9L, 2), (done.BatchId, done.Kept));
    }

    [Fact]
    public void BatchRefused_RoundTrips_AndABatchReadFromTheWireKnowsTheBytesItCameIn()
    {
        Assert.Equal(new BatchRefused(12), RoundTrip(new BatchRefused(12)));
        var sent = new RunBatch(1, [new RunChunk(7, 0, 0, EncodedWork.Encode(new MapWork<int, int>(AddOne, new[] { 1, 2, 3 })), TestActor)]);
        var bytes = Sys.Serialization.FindSerializerFor(sent).ToBinary(sent);
        Assert.Equal(0, sent.FrameBytes);
        Assert.Equal(bytes.Length, ((RunBatch)RoundTrip(sent)).FrameBytes);
    }

    [Fact]
    public void RunBatch_CarriesThePoolsWorkerTerms_AndSpeculation()
    {
        var work = EncodedWork.Encode(new MapWork<int, int>(FailsFirstTime, new[] { 5 }) { Rules = new TaskRules(0, TimeSpan.Zero, null, Speculative: true) });
        var batch = (RunBatch)RoundTrip(new RunBatch(1, [new RunChunk(7, 0, 0, work, TestActor)], new WorkerTerms(NoteInitialized, 3)));
        Assert.Equal(3, batch.Terms!.MaxTasks);
        Assert.Equal(nameof(NoteInitialized), batch.Terms.Initializer!.Method.Name);
        Assert.True(Assert.Single(batch.Chunks).Work.Speculative);
        Assert.Null(((RunBatch)RoundTrip(new RunBatch(2, []))).Terms);
    }

    [Fact]
    public void Initializer_NotFoundWhereTheBatchArrives_FailsWhenRunInsteadOfLosingTheBatch()
    {
        var delete = typeof(File).GetMethod(nameof(File.Delete), [typeof(string)])!;
        var forged = new FunctionRef(delete.Module.Assembly.FullName!, delete.Module.ModuleVersionId, delete.MetadataToken, "System.IO.File.Delete");
        var initializer = WireCodec.DecodeInitializer(new WireFunction(forged, Captures: null));
        Assert.Contains("cannot run on this node", Assert.Throws<InvalidOperationException>(initializer).Message);
    }

    [Fact]
    public void NodeWorkers_RoundTripsActorRefs()
    {
        var message = (NodeWorkers)RoundTrip(new NodeWorkers([TestActor]));
        Assert.Equal([TestActor], message.Workers);
        Assert.Same(GetWorkers.Instance, RoundTrip(GetWorkers.Instance));
    }
}
