using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ActorPool.Protocol;
using ActorPool.Remote;
using Akka.Actor;
using Akka.Configuration;

namespace ActorPool.Tests.Remote;

/// <summary>
/// A stranger's system on 127.0.0.1 that floods a real node host (one worker, a limit of 256 chunks
/// waiting) with batches far past the limit, while the node's worker is held on the stranger's
/// first task: what passes the limit is answered refused and never runs, what got in runs once, and
/// a legitimate pool whose batches the full node refuses gets its job done, complete and in order,
/// once there is room.
/// </summary>
public sealed class NodeQueueProcessTests : IDisposable
{
    private const int MaxChunks = 256;
    private const int ChunksPerBatch = 64;
    private const int Floods = 40; // batches of 64 chunks: 10 times the limit
    private const int Admitted = MaxChunks / ChunksPerBatch;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    internal static int Twice(int x) => x * 2;

    /// <summary>Holds its worker until the test closes the connection it opens to <paramref name="port"/>.</summary>
    internal static int Hold(int port)
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, port);
        client.ReceiveTimeout = (int)Gate.Limit.TotalMilliseconds; // never for good, whatever the test does
        while (client.GetStream().Read(new byte[1]) > 0)
        {
        }
        return port;
    }

    /// <summary>Every message the stranger's actor gets, with its sender.</summary>
    private sealed class Collector(BlockingCollection<(object Message, IActorRef Sender)> inbox) : UntypedActor
    {
        protected override void OnReceive(object message) => inbox.Add((message, Sender));
    }

    [Fact]
    public async Task Node_StrangerFloodsItPastItsLimit_RefusesTheRestUnrun_AndAPoolsRefusedWorkRunsOnceThereIsRoom()
    {
        var config = Path.Combine(_folder.Path, "node.hocon");
        File.WriteAllText(config, $"{NodeQueue.ConfigPath}.max-chunks = {MaxChunks}");
        using var node = NodeProcess.Start(typeof(NodeQueueProcessTests).Assembly, arguments: ["--config", config]);
        using var stranger = ActorSystem.Create("stranger", ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            akka.remote.dot-netty.tcp.port = 0
            akka.loglevel = ERROR
            akka.stdout-loglevel = ERROR
            """));
        WireSetup.Register(stranger);
        var inbox = new BlockingCollection<(object Message, IActorRef Sender)>();
        var collector = stranger.ActorOf(Props.Create(() => new Collector(inbox)), "collector");
        var path = $"akka.tcp://{ClusterNames.SystemName}@{node.Endpoint}/user/{ClusterNames.NodeActor}/worker-0";
        var worker = (await stranger.ActorSelection(path).Ask<ActorIdentity>(new Identify(null), Gate.Limit)).Subject;
        Assert.NotNull(worker);

        // The worker takes the stranger's first batch and holds it: from then on, what comes waits.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        worker.Tell(new RunBatch(0, [Chunk(Hold, 0, 0, port, collector)]), collector);
        using var held = await listener.AcceptTcpClientAsync().WaitAsync(Gate.Limit);

        for (var id = 1; id <= Floods; id++)
        {
            var batchId = id;
            worker.Tell(new RunBatch(batchId, Enumerable.Range(0, ChunksPerBatch).Select(i => Chunk(Twice, batchId, i, i, collector)).ToArray()), collector);
        }
        // The first 4 fill the limit; each later one is answered, in order, in the worker's name.
        for (var id = Admitted + 1; id <= Floods; id++)
        {
            var (message, sender) = Next(inbox);
            Assert.Equal(new BatchRefused(id), message);
            Assert.Equal(worker, sender);
        }
        var strangerAddress = ((ExtendedActorSystem)stranger).Provider.DefaultAddress;
        Assert.Equal(1, TlsClusterTests.WaitForLogLine(node, $"Refused a batch of work from {strangerAddress}"));

        // A pool on the full node: its batches are refused too, and wait.
        using var pool = new Pool(new PoolOptions { Deployment = PoolDeployment.Cluster, SeedNodes = [node.Endpoint], Processes = 1 });
        try
        {
            var data = Enumerable.Range(0, 50).ToArray();
            var job = pool.MapAsync(Twice, data, chunkSize: 1);
            var poolAddress = Akka.Cluster.Cluster.Get(pool.System).SelfAddress;
            Assert.Equal(1, TlsClusterTests.WaitForLogLine(node, $"Refused a batch of work from {poolAddress}"));
            Assert.False(job.Ready());

            held.Close(); // the worker goes on
            Assert.Equal(data.Select(Twice), job.Get(Gate.Limit));

            // What got in ran once, and answered once; nothing refused ran.
            var done = new List<long>();
            var ran = new List<(long Job, long Chunk)>();
            while (done.Count < Admitted + 1)
            {
                switch (Next(inbox).Message)
                {
                    case BatchDone batch:
                        Assert.Empty(batch.Returned);
                        done.Add(batch.BatchId);
                        break;
                    case RoutedResults routed:
                        foreach (var result in routed.Results.Cast<ChunkResult<int>>())
                        {
                            Assert.Null(result.Failures);
                            ran.Add((result.JobId, result.ChunkIndex));
                        }
                        if (routed.Done is { } end) // a batch's end goes with its last results
                        {
                            Assert.Empty(end.Returned);
                            done.Add(end.BatchId);
                        }
                        break;
                    case var other:
                        Assert.Fail($"The stranger got {other}.");
                        break;
                }
            }
            Assert.Equal(Enumerable.Range(0, Admitted + 1).Select(id => (long)id), done);
            Assert.Equal(
                new[] { (0L, 0L) }.Concat(Enumerable.Range(1, Admitted).SelectMany(id => Enumerable.Range(0, ChunksPerBatch).Select(i => ((long)id, (long)i)))),
                ran.Order());

            Assert.Equal(data.Select(Twice), pool.Map(Twice, data));
        }
        finally
        {
            pool.Terminate(); // a job that never ends fails the test instead of hanging it in Dispose
        }
        Assert.False(node.HasExited, "The node host exited.");
    }

    private static RunChunk Chunk(Func<int, int> function, long job, long index, int item, IActorRef replyTo) =>
        new(job, index, index, EncodedWork.Encode(new MapWork<int, int>(function, new[] { item })), replyTo);

    private static (object Message, IActorRef Sender) Next(BlockingCollection<(object, IActorRef)> inbox) =>
        inbox.TryTake(out var next, Gate.Limit) ? next : throw new TimeoutException("The stranger got no answer.");
}
