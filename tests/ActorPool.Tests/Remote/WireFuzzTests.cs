using System.Runtime.Serialization;
using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Remote;
using Akka.Actor;
using Akka.Dispatch.SysMsg;
using Akka.Remote.Serialization;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Akka.Util;
using MessagePack;

namespace ActorPool.Tests.Remote;

/// <summary>
/// The decoders a peer's bytes reach, fed random and mutated encodings: each input decodes or fails
/// with a <see cref="SerializationException"/>, within a bounded allocation, and no type is made that
/// a function's signature does not name. A fixed seed and count: the same inputs every run.
/// </summary>
public sealed class WireFuzzTests : TestKit
{
    private const int Seed = 11;
    private const int Inputs = 20_000;

    /// <summary>What one input may make the decoder allocate beyond a small multiple of its own size.</summary>
    private const long AllocationSlack = 1 << 20;

    /// <summary>Configured as a node host's system is: the wire fence over ActorPool's reference.</summary>
    public WireFuzzTests()
        : base(WireFence.Get().WithFallback(ReferenceConfig.Get()))
    {
        WireSetup.Register(Sys);
    }

    internal static int AddOne(int x) => x + 1;

    internal static string Join(string a, int b) => a + b;

    internal static int TakesObject(object value) => value is null ? 0 : 1;

    internal static bool RetryAll(Exception error) => true;

    internal static void Initialize()
    {
    }

    private WireSerializer Wire => (WireSerializer)Sys.Serialization.FindSerializerForType(typeof(IWireMessage));

    /// <summary>A valid encoding of every kind of message ActorPool sends, with its manifest.</summary>
    private List<(string Manifest, byte[] Bytes)> ValidEncodings()
    {
        var rules = new TaskRules(2, TimeSpan.FromMilliseconds(5), RetryAll, TimeSpan.FromSeconds(1));
        var map = EncodedWork.Encode(new MapWork<int, int>(AddOne, new[] { 1, 2, 3 }) { Rules = rules, MeasureRunTime = true });
        var star = EncodedWork.Encode(StarWork.Of<string, int, string>(Join, new[] { ("a", 1), ("b", 2) }));
        var objects = EncodedWork.Encode(new MapWork<object, int>(TakesObject, new object[] { 1, "two" }));
        var chunks = new[] { new RunChunk(1, 0, 0, map, TestActor), new RunChunk(1, 1, 3, star, TestActor), new RunChunk(2, 0, 0, objects, TestActor) };
        var results = chunks.Select(chunk => chunk.Work.Execute(chunk.JobId, chunk.ChunkIndex, chunk.Offset)).ToList();
        results.Add(map.FailAll(1, 0, 0, new ArgumentException("bad", "x", new InvalidOperationException("inner"))));
        var messages = new object[]
        {
            new RunBatch(5, chunks, new WorkerTerms(Initialize, 10)),
            new BatchDone(5, chunks[..1], 2),
            new TakeBack(TestActor, [5, 6]),
            new TakenBack(TestActor, [5], [1]),
            results[0],
            results[^1],
            new ChunkResults([.. results]),
            new RoutedResults([TestActor, TestActor], [results[1], results[^1]]),
            GetWorkers.Instance,
            new NodeWorkers([TestActor]),
            new CancelTasks(3, 4),
            WorkerRetiring.Instance,
        };
        return messages.Select(message => (Wire.Manifest(message), Wire.ToBinary(message))).ToList();
    }

    /// <summary>The functions of the valid encodings: mutated work runs only if it still names one (any other method of this assembly could do anything).</summary>
    private static readonly (string, Guid, int)[] Runnable =
    [
        .. new Delegate[] { (Func<int, int>)AddOne, (Func<string, int, string>)Join, (Func<object, int>)TakesObject }
            .Select(function => FunctionRef.Create(function, "func")).Select(f => (f.AssemblyName, f.ModuleVersionId, f.MetadataToken)),
    ];

    /// <summary>
    /// Decodes <paramref name="bytes"/> as a peer's message; for work, runs it as a worker would
    /// and decodes its result as the pool would.
    /// </summary>
    private void Decode(string manifest, byte[] bytes)
    {
        object message;
        try
        {
            message = Wire.FromBinary(bytes, manifest);
        }
        catch (SerializationException)
        {
            return; // refused, as it should be
        }
        var chunks = message switch
        {
            RunBatch batch => batch.Chunks,
            BatchDone done => done.Returned,
            _ => [],
        };
        foreach (var chunk in chunks)
        {
            var work = (EncodedWork)chunk.Work;
            if (!Runnable.Contains((work.Function.Method.AssemblyName, work.Function.Method.ModuleVersionId, work.Function.Method.MetadataToken)))
                continue;
            // Work is decoded where it runs: what cannot be fails its items, never the worker.
            var result = Assert.IsType<EncodedChunkResult>(work.Execute(chunk.JobId, chunk.ChunkIndex, chunk.Offset));
            Decode(Wire.Manifest(result), Wire.ToBinary(result));
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task WireDecoder_RandomAndMutatedInputs_DecodeOrFailWithSerializationExceptionWithinBoundedAllocation()
    {
        await Task.Yield();
        var made = Sentinel.Made;
        var valid = ValidEncodings();
        foreach (var (manifest, bytes) in valid)
            Decode(manifest, bytes); // every valid one decodes, and the shapes of its functions are cached
        var manifests = valid.Select(one => one.Manifest).Distinct().Append("?").Append("").ToArray();
        var random = new Random(Seed);
        for (var i = 0; i < Inputs; i++)
        {
            var (manifest, bytes) = valid[random.Next(valid.Count)];
            var input = Mutate(random, bytes);
            if (random.Next(8) == 0)
                manifest = manifests[random.Next(manifests.Length)]; // one kind of message read as another
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                Decode(manifest, input);
            }
            catch (Exception ex)
            {
                Assert.Fail($"Input {i} ({manifest}, {Convert.ToHexString(input)}) threw {ex}");
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < AllocationSlack + 64L * input.Length,
                $"Input {i} ({manifest}, {input.Length} bytes: {Convert.ToHexString(input)}) allocated {allocated} bytes.");
        }
        Assert.Equal(made, Sentinel.Made);
    }

    /// <summary>Random bytes, flipped bytes, a cut, or a count or length of 2^31 - 1 or more written over the data.</summary>
    private static byte[] Mutate(Random random, byte[] valid)
    {
        switch (random.Next(5))
        {
            case 0:
                var noise = new byte[random.Next(0, 64)];
                random.NextBytes(noise);
                return noise;
            case 1:
                var flipped = (byte[])valid.Clone();
                for (var n = random.Next(1, 5); n > 0 && flipped.Length > 0; n--)
                    flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                return flipped;
            case 2:
                return valid[..random.Next(valid.Length + 1)];
            default:
                // array32, map32, bin32, str32, ext32 with a huge or negative length, at a random place.
                var header = new[] { (byte)0xdd, (byte)0xdf, (byte)0xc6, (byte)0xdb, (byte)0xc9 }[random.Next(5)];
                var length = random.Next(2) == 0 ? int.MaxValue : -1 - random.Next(1000);
                var big = new byte[] { header, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length };
                var at = random.Next(valid.Length + 1);
                var spliced = random.Next(2) == 0 ? valid[..at].Concat(big).Concat(valid[at..]) : valid[..at].Concat(big).Concat(valid[Math.Min(valid.Length, at + big.Length)..]);
                return [.. spliced];
        }
    }

    [Fact]
    public void ChunkResult_ItemCountFarAboveItsBytes_IsRefusedWithoutAllocatingTheItems()
    {
        var result = new EncodedChunkResult(1, 0, 0, FunctionRef.Create((Func<int, int>)AddOne, "func"), int.MaxValue, [], null);
        var bytes = Wire.ToBinary(result);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<SerializationException>(() => Wire.FromBinary(bytes, Wire.Manifest(result)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < AllocationSlack);
        var batch = new RunBatch(1, [new RunChunk(1, 0, 0, new EncodedWork(new WireFunction(result.Function, null), [0x91, 0x01], int.MaxValue, null), TestActor)]);
        Assert.Throws<SerializationException>(() => Wire.FromBinary(Wire.ToBinary(batch), Wire.Manifest(batch)));
    }

    [Fact]
    public void AkkaSerializersThatNameTypes_FromTheWire_AreRefusedAndMakeNothing()
    {
        var system = (ExtendedActorSystem)Sys;
        var sentinel = typeof(Sentinel).TypeQualifiedName();
        // What Akka's own serializers would make of these (the probe can see a type being made).
        var json = System.Text.Encoding.UTF8.GetBytes($$"""{"$type":"{{sentinel}}","Text":"x"}""");
        var made = Sentinel.Made;
        Assert.IsType<Sentinel>(new NewtonSoftJsonSerializer(system).FromBinary(json, typeof(object)));
        Assert.Equal(made + 1, Sentinel.Made);
        var failure = new MiscMessageSerializer(system).ToBinary(new Status.Failure(new SentinelException("x")));
        var terminate = new SystemMessageSerializer(system).ToBinary(new Terminate());
        var watch = new Watch((IInternalActorRef)TestActor, (IInternalActorRef)TestActor);
        var watchBytes = new SystemMessageSerializer(system).ToBinary(watch);
        made = Sentinel.Made;

        // The same bytes from a peer, by the identifiers and manifests it may choose.
        var refused = new (byte[] Bytes, int Id, string Manifest)[]
        {
            (json, 1, sentinel), (json, 1, ""), ([], 2, sentinel), ([], 3, sentinel),
            (failure, 16, "STF"), (new MiscMessageSerializer(system).ToBinary(PoisonPill.Instance), 16, "PP"), ([], 16, "K"),
            (terminate, 22, typeof(Terminate).TypeQualifiedName()), (terminate, 22, sentinel),
        };
        foreach (var (bytes, id, manifest) in refused)
            Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(bytes, id, manifest));
        Assert.Equal(made, Sentinel.Made);

        // What remoting and the cluster need still reads.
        Assert.IsType<Watch>(Sys.Serialization.Deserialize(watchBytes, 22, typeof(Watch).TypeQualifiedName()));
        var identify = new MiscMessageSerializer(system).ToBinary(new Identify(null));
        Assert.IsType<Identify>(Sys.Serialization.Deserialize(identify, 16, "ID"));
        // And nothing of ours goes out as JSON.
        Assert.Throws<SerializationException>(() => Sys.Serialization.Serialize(new Sentinel()));
    }

    [Fact]
    public void ValueTypedObject_NestedFarDeeperThanTheStackAllows_FailsItsItemsAndTheWorkerLives()
    {
        // [[[[...]]]] a million deep, in a megabyte: MessagePack's untrusted-data depth limit stops it, not the stack.
        var nested = new byte[1 + 1_000_000];
        nested[0] = 0x91;
        Array.Fill(nested, (byte)0x91, 1, nested.Length - 2);
        nested[^1] = 0x01;
        var work = new EncodedWork(new WireFunction(FunctionRef.Create((Func<object, int>)TakesObject, "func"), null), nested, 1, null);
        var result = Assert.IsType<ChunkResult<int>>(((EncodedChunkResult)work.Execute(1, 0, 0)).Decode());
        Assert.IsType<MessagePackSerializationException>(Assert.Single(result.Failures!).Error);
    }

    [Fact]
    public void ValueTypedObject_CarryingATypeName_IsReadWithoutMakingThatType()
    {
        // MessagePack's typeless form names a type (extension 100); a parameter of type object reads plain data only.
        var items = MessagePackSerializer.Serialize(new object[] { 1 }, WireCodec.Options);
        var typeless = MessagePackSerializer.Typeless.Serialize(new object[] { new Sentinel() });
        var made = Sentinel.Made;
        foreach (var bytes in new[] { items, typeless })
        {
            var work = new EncodedWork(new WireFunction(FunctionRef.Create((Func<object, int>)TakesObject, "func"), null), bytes, 1, null);
            var result = Assert.IsType<ChunkResult<int>>(((EncodedChunkResult)work.Execute(1, 0, 0)).Decode());
            Assert.Equal(bytes == items ? null : typeof(MessagePackSerializationException), result.Failures?.Single().Error.GetType());
        }
        Assert.Equal(made, Sentinel.Made);
    }
}
