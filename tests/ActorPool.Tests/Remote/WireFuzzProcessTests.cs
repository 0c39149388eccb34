using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ActorPool.Protocol;
using ActorPool.Remote;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Akka.Util;

namespace ActorPool.Tests.Remote;

/// <summary>
/// A stranger at the ports of a node host and of a Cluster pool, on 127.0.0.1: raw connections
/// that send random bytes, length prefixes far over the frame limit, negative and truncated
/// frames; then an Akka system of its own that sends well-formed frames carrying what must not be
/// read (a type named for JSON or Protobuf, an unknown serializer, garbage in ActorPool's format,
/// a PoisonPill, a Terminate, a batch naming a function that is not there). The node and the pool
/// keep running and serve a job, and the node made nothing the stranger named.
/// </summary>
/// <remarks>
/// A transport is a subclass: it says how the node is started, how the pool is made, how a raw
/// connection talks (<see cref="Open"/>), how the stranger's system is configured, and whether
/// that system is let in at all (<see cref="StrangerIsAdmitted"/>). Plain TCP is
/// <see cref="PlainWireFuzzProcessTests"/>; TLS overrides the same members.
/// </remarks>
public abstract class WireFuzzProcessTests : IDisposable
{
    private const int Seed = 11;
    private const int RandomConnections = 24;

    /// <summary>The largest frame the node and the pool accept (reference.conf).</summary>
    private const int MaxFrame = 32 * 1024 * 1024;

    private readonly TempFolder _made = new();

    /// <summary>Extra arguments of the node host (a certificate, say).</summary>
    protected abstract IEnumerable<string> NodeArguments { get; }

    /// <summary>The node host's environment beyond the test's own (a certificate's password, say).</summary>
    protected virtual IReadOnlyDictionary<string, string>? NodeEnvironment => null;

    /// <summary>The options of a Cluster pool joined to <paramref name="seed"/>.</summary>
    protected abstract PoolOptions ClusterOptions(string seed);

    /// <summary>The stream a raw connection writes to (the socket's own, or TLS over it).</summary>
    protected abstract Stream Open(TcpClient client);

    /// <summary>The stranger's Akka system's transport settings, over a remote provider on 127.0.0.1: plain TCP.</summary>
    protected virtual Config StrangerTransport => ConfigurationFactory.ParseString("""
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        """);

    /// <summary>
    /// Whether the stranger's system gets to talk to the node and the pool (over plain TCP it does;
    /// with TLS and no trusted certificate it does not, and its frames reach no serializer). When it
    /// does, each target must answer an Identify after the rest, still there.
    /// </summary>
    protected virtual bool StrangerIsAdmitted => true;

    internal static int Twice(int x) => x * 2;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) => _made.Dispose();

    [Fact]
    public void NodeAndPool_StrangerSendsJunkAndForbiddenMessages_BothKeepServingAndNothingNamedIsMade()
    {
        var data = Enumerable.Range(0, 40).ToArray();
        // The node host inherits the variable: a sentinel made there leaves a file named after its process.
        Environment.SetEnvironmentVariable(Sentinel.FolderVariable, _made.Path);
        NodeProcess node;
        try
        {
            node = NodeProcess.Start(typeof(WireFuzzProcessTests).Assembly, arguments: NodeArguments, environment: NodeEnvironment);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Sentinel.FolderVariable, null);
        }
        using (node)
        {
            using var pool = new Pool(ClusterOptions(node.Endpoint));
            Assert.Equal(data.Select(Twice), pool.Map(Twice, data));
            var poolEndpoint = Akka.Cluster.Cluster.Get(pool.System).SelfAddress;
            var nodePort = int.Parse(node.Endpoint[(node.Endpoint.LastIndexOf(':') + 1)..]);

            foreach (var port in new[] { nodePort, poolEndpoint.Port!.Value })
                SendRawJunk(port);
            var nodeActor = $"akka.tcp://{ClusterNames.SystemName}@{node.Endpoint}/user/{ClusterNames.NodeActor}";
            // Over the stranger's own transport (plain TCP), whatever the members speak.
            SendForbiddenMessages(nodeActor, nodeActor + "/worker-0",
                $"akka.tcp://{ClusterNames.SystemName}@{poolEndpoint.Host}:{poolEndpoint.Port}/user/{ClusterNames.PoolRouter}");

            Assert.False(node.HasExited, "The node host exited.");
            Assert.Equal(data.Select(Twice), pool.Map(Twice, data));
            Assert.False(File.Exists(Sentinel.PathFor(_made.Path, node.ProcessId)), "The node made a type the stranger named.");
        }
    }

    /// <summary>Raw connections, each closed after its bytes; each waits until the other side has read them all and closed.</summary>
    private void SendRawJunk(int port)
    {
        var random = new Random(Seed);
        var inputs = new List<byte[]>();
        for (var i = 0; i < RandomConnections; i++)
        {
            var noise = new byte[random.Next(1, 4096)];
            random.NextBytes(noise);
            inputs.Add(noise);
        }
        inputs.Add(Frame(int.MaxValue, 64));       // a length prefix far over the limit
        inputs.Add(Frame(MaxFrame + 1, 64));       // just over it
        inputs.Add(Frame(-1, 64));                 // negative
        inputs.Add(Frame(1000, 10));               // truncated: the connection ends mid-frame
        inputs.Add(Frame(200, 200, random));       // a whole frame of garbage where Akka's handshake belongs
        foreach (var input in inputs)
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            client.ReceiveTimeout = (int)Gate.Limit.TotalMilliseconds;
            using var stream = Open(client); // outside the try: a connection refused here would test nothing
            try
            {
                stream.Write(input);
                stream.Flush();
                client.Client.Shutdown(SocketShutdown.Send);
                // The other side answers the end of what was sent by closing: then it has read all of it.
                var buffer = new byte[4096];
                while (stream.Read(buffer) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
            {
                // Reset by the other side: it refused what it read, which is as good.
            }
        }
    }

    /// <summary>A big-endian length prefix and <paramref name="bytes"/> bytes (zeros, or random).</summary>
    private static byte[] Frame(int length, int bytes, Random? random = null)
    {
        var frame = new byte[4 + bytes];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame, length);
        random?.NextBytes(frame.AsSpan(4));
        return frame;
    }

    /// <summary>
    /// Well-formed Akka frames from a system of the stranger's to each of <paramref name="targets"/>,
    /// then an Identify to each: its answer says the target's process read the rest first, and
    /// that the actor is still there.
    /// </summary>
    private void SendForbiddenMessages(params string[] targets)
    {
        using var stranger = ActorSystem.Create("stranger", StrangerTransport.WithFallback(ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.loglevel = ERROR
            akka.stdout-loglevel = ERROR
            """)));
        var system = (ExtendedActorSystem)stranger;
        Crafted.Register(system);
        WireSetup.Register(stranger);
        var sentinel = typeof(Sentinel).TypeQualifiedName();
        var json = System.Text.Encoding.UTF8.GetBytes($$"""{"$type":"{{sentinel}}","Text":"x"}""");
        var exception = new Akka.Remote.Serialization.MiscMessageSerializer(system).ToBinary(new Status.Failure(new ArgumentException("x")));
        var unknown = FunctionRef.Create((Func<int, int>)Twice, "func") with { ModuleVersionId = Guid.NewGuid() };
        object[] messages =
        [
            new Crafted<JsonId>(sentinel, json),
            new Crafted<JsonId>("", json),
            new Crafted<ProtobufId>(sentinel, []),
            new Crafted<DaemonCreateId>(sentinel, [1, 2, 3]),
            new Crafted<MiscId>("STF", exception),
            new Crafted<MiscId>("PP", []),
            new Crafted<MiscId>("K", []),
            new Crafted<SystemMessageId>(typeof(Akka.Dispatch.SysMsg.Terminate).TypeQualifiedName(), []),
            new Crafted<UnknownId>(sentinel, [1]),
            new Crafted<WireId>("B", [0xdd, 0x7f, 0xff, 0xff, 0xff]),
            new Crafted<WireId>("?", [1, 2, 3]),
            new RunBatch(1, [new RunChunk(1, 0, 0, new EncodedWork(new WireFunction(unknown, null), [0x91, 0x01], 1, null), stranger.DeadLetters)]),
        ];
        foreach (var message in messages)
        {
            foreach (var target in targets)
                stranger.ActorSelection(target).Tell(message);
        }
        if (!StrangerIsAdmitted)
            return;
        foreach (var target in targets)
        {
            var identity = stranger.ActorSelection(target).Ask<ActorIdentity>(new Identify(target), Gate.Limit).GetAwaiter().GetResult();
            Assert.True(identity.Subject is not null, $"{target} is gone.");
        }
    }

    // ---- the stranger's serializers: bytes and a manifest of its choosing, under a serializer id of its choosing ----

    public interface ISerializerId
    {
        static abstract int Id { get; }
    }

    public readonly struct JsonId : ISerializerId { public static int Id => 1; }

    public readonly struct ProtobufId : ISerializerId { public static int Id => 2; }

    public readonly struct DaemonCreateId : ISerializerId { public static int Id => 3; }

    public readonly struct MiscId : ISerializerId { public static int Id => 16; }

    public readonly struct SystemMessageId : ISerializerId { public static int Id => 22; }

    public readonly struct WireId : ISerializerId { public static int Id => WireSerializer.Id; }

    public readonly struct UnknownId : ISerializerId { public static int Id => 4242; }

    public sealed record Crafted<TId>(string Manifest, byte[] Bytes) where TId : ISerializerId;

    private static class Crafted
    {
        public static void Register(ExtendedActorSystem system)
        {
            Add<JsonId>(system);
            Add<ProtobufId>(system);
            Add<DaemonCreateId>(system);
            Add<MiscId>(system, new Akka.Remote.Serialization.MiscMessageSerializer(system)); // the stranger reads the answer to its Identify
            Add<SystemMessageId>(system);
            Add<WireId>(system);
            Add<UnknownId>(system);
        }

        private static void Add<TId>(ExtendedActorSystem system, SerializerWithStringManifest? reader = null) where TId : ISerializerId
        {
            var serializer = new CraftedSerializer<TId>(system, reader);
            system.Serialization.AddSerializer($"crafted-{TId.Id}", serializer);
            system.Serialization.AddSerializationMap(typeof(Crafted<TId>), serializer);
        }
    }

    /// <summary>Writes a <see cref="Crafted{TId}"/> as it is; reads with <paramref name="reader"/>, the serializer it stands in for.</summary>
    private sealed class CraftedSerializer<TId>(ExtendedActorSystem system, SerializerWithStringManifest? reader) : SerializerWithStringManifest(system)
        where TId : ISerializerId
    {
        public override int Identifier => TId.Id;

        public override string Manifest(object o) => ((Crafted<TId>)o).Manifest;

        public override byte[] ToBinary(object obj) => ((Crafted<TId>)obj).Bytes;

        public override object FromBinary(byte[] bytes, string manifest) =>
            reader?.FromBinary(bytes, manifest) ?? throw new NotSupportedException($"The stranger reads nothing by serializer {TId.Id}.");
    }
}

/// <summary><see cref="WireFuzzProcessTests"/> over plain TCP.</summary>
public sealed class PlainWireFuzzProcessTests : WireFuzzProcessTests
{
    protected override IEnumerable<string> NodeArguments => [];

    protected override PoolOptions ClusterOptions(string seed) =>
        new() { Deployment = PoolDeployment.Cluster, SeedNodes = [seed], Processes = 1 };

    protected override Stream Open(TcpClient client) => client.GetStream();
}

/// <summary>
/// <see cref="WireFuzzProcessTests"/> over TLS: the node and the pool present the cluster's
/// certificate. The raw connections hold it too, so their junk passes the handshake and reaches
/// what reads Akka's frames; the stranger's Akka system, on plain TCP, is never let in.
/// </summary>
public sealed class TlsWireFuzzProcessTests : WireFuzzProcessTests
{
    private readonly TestCertificates _files = new();
    private readonly X509Certificate2 _certificate = TestCertificates.Create("actorpool-test-fuzz");

    protected override IEnumerable<string> NodeArguments => ["--certificate", _files.Write(_certificate)];

    protected override IReadOnlyDictionary<string, string>? NodeEnvironment => TestCertificates.Environment;

    protected override PoolOptions ClusterOptions(string seed) =>
        new() { Deployment = PoolDeployment.Cluster, SeedNodes = [seed], Processes = 1, Certificate = _certificate };

    protected override Stream Open(TcpClient client) => StrangerConnection.Authenticated(client, _certificate);

    protected override bool StrangerIsAdmitted => false;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _files.Dispose();
        _certificate.Dispose();
    }
}
