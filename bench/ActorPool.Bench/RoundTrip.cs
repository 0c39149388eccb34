using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorPool;
using ActorPool.Testing;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

/// <summary>
/// Where a sequential round trip's time goes (issue 8's cluster round trip), in one run with
/// interleaved rounds: the machine's floor (a raw TCP ping-pong between two processes on
/// loopback, blocking and async), a TCP connection of our own between actors (the data plane
/// sketched for issue 8: frames written by the sending actor, read by a thread in each process that
/// hands them to an actor), bare Akka.Remote between two processes (actor to actor, and an
/// Ask from a plain thread as the distributed benchmark does), each under the Akka settings of
/// <see cref="Variants"/>, and the pool's <c>ApplyAsync</c>+<c>Get</c> through a two-node cluster
/// under the same settings. Every contender makes <see cref="Trips"/> round trips a round.
/// </summary>
/// <remarks>
/// <c>bench/run roundtrip [--no-pool] [--base-nodes OTHER/ActorPool.Node.dll] [variant ...]</c>;
/// with no variant, all of them. The other process (raw
/// TCP and bare Akka.Remote) is this program again, in the mode <c>roundtrip-peer</c>; it serves
/// until its standard input closes.
/// </remarks>
internal static class RoundTrip
{
    public const int Trips = 2_000;
    private const int Rounds_ = 9;
    private const int PayloadBytes = 64;

    /// <summary>
    /// Akka settings tried, each on both sides of a round trip, over the settings ActorPool gives
    /// its own systems (scheduler tick 50 ms, quiet logs).
    /// </summary>
    public static readonly Dictionary<string, string> Variants = new()
    {
        ["default"] = "",
        // Every write flushed at once, instead of DotNetty's flush consolidation.
        ["nobatch"] = "akka.remote.dot-netty.tcp.batching.enabled = off",
        // Remoting's actors (endpoint manager, writer, reader, protocol state) on one dedicated
        // thread: a message between them is a queue on that thread, not a wake-up of a pool thread.
        ["remote-fj1"] = """
            akka.remote.default-remote-dispatcher { executor = fork-join-executor, fork-join-executor { parallelism-min = 1, parallelism-max = 1 } }
            """,
        // Remoting's actors on Akka's default dispatcher (the .NET thread pool), with the user's.
        ["remote-on-default"] = "akka.remote.use-dispatcher = akka.actor.default-dispatcher",
        // Remoting and user actors on the channel executor (the thread pool, behind priority queues).
        ["channel"] = """
            akka.actor.default-dispatcher.executor = channel-executor
            akka.actor.internal-dispatcher.executor = channel-executor
            akka.remote.default-remote-dispatcher.executor = channel-executor
            """,
        // One DotNetty event loop thread each for accepted and opened connections, instead of two.
        ["io1"] = """
            akka.remote.dot-netty.tcp.server-socket-worker-pool { pool-size-min = 1, pool-size-max = 1 }
            akka.remote.dot-netty.tcp.client-socket-worker-pool { pool-size-min = 1, pool-size-max = 1 }
            """,
    };

    private const string Base = """
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.scheduler.tick-duration = 50ms
        """;

    /// <summary>An in-process system's settings, as ActorPool gives its own (scheduler tick 50 ms, quiet logs).</summary>
    private const string LocalOnly = """
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.scheduler.tick-duration = 50ms
        """;

    private static Config ConfigOf(string variant) =>
        ConfigurationFactory.ParseString(Variants[variant]).WithFallback(ConfigurationFactory.ParseString(Base));

    /// <param name="only">The variants to run; empty for all.</param>
    /// <param name="withPool">Whether to run the pool's round trip too (two node hosts a variant).</param>
    /// <param name="baseNodes">Another build's ActorPool.Node.dll: each variant's pool runs against node hosts of that build too, in the same rounds; null for none.</param>
    public static void Run(IReadOnlyList<string> only, bool withPool, string? baseNodes)
    {
        var variants = only.Count > 0 ? only.ToList() : Variants.Keys.ToList();
        Console.WriteLine($"## Round trip: {Trips:N0} sequential round trips a contender a round, {Rounds_} interleaved rounds; variants {string.Join(", ", variants)}");
        Console.WriteLine($"load before: {File.ReadAllText("/proc/loadavg").Trim()}");

        using var peer = Peer.Start(variants);
        using var blocking = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        blocking.Connect(IPAddress.Loopback, peer.Ports[0]);
        using var async = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        async.Connect(IPAddress.Loopback, peer.Ports[1]);

        var names = new List<string> { "raw TCP, blocking", "raw TCP, async" };
        var contenders = new List<Action> { () => BlockingPingPong(blocking), () => AsyncPingPong(async).GetAwaiter().GetResult() };
        var systems = new List<ActorSystem>();
        var pools = new List<IDisposable>();
        // A connection of our own between actors (the data plane sketched for issue 8): written by
        // the sending actor's thread, read by one thread in each process that hands each frame to an
        // actor (in the peer: an echo, which writes the answer back itself).
        var plane = ActorSystem.Create("plane", ConfigurationFactory.ParseString(LocalOnly));
        systems.Add(plane);
        using var planeToActor = PlaneConnection(peer.Ports[2]);
        using var planeToThread = PlaneConnection(peer.Ports[2]);
        var planePinger = plane.ActorOf(Props.Create(() => new PlanePinger(planeToActor)));
        StartPlaneReader(planeToActor, frame => planePinger.Tell(frame));
        var answered = new SemaphoreSlim(0);
        StartPlaneReader(planeToThread, _ => answered.Release());
        var planeWriter = plane.ActorOf(Props.Create(() => new PlaneWriter(planeToThread)));
        names.Add("own connection, actor to actor (a reader thread each side hands frames to actors)");
        contenders.Add(() =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            planePinger.Tell(new PlanePinger.Go(Trips, done));
            done.Task.GetAwaiter().GetResult();
        });
        names.Add("own connection, from a thread through an actor, the answer's reader wakes the thread");
        contenders.Add(() =>
        {
            var frame = new byte[PayloadBytes];
            for (var n = 0; n < Trips; n++)
            {
                planeWriter.Tell(frame);
                answered.Wait();
            }
        });
        try
        {
            for (var i = 0; i < variants.Count; i++)
            {
                var system = ActorSystem.Create("driver", ConfigOf(variants[i]));
                systems.Add(system);
                var echo = system.ActorSelection($"akka.tcp://peer@127.0.0.1:{peer.Ports[3 + i]}/user/echo")
                    .ResolveOne(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
                var pinger = system.ActorOf(Props.Create(() => new Pinger()));
                names.Add($"Akka.Remote actor to actor [{variants[i]}]");
                contenders.Add(() =>
                {
                    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    pinger.Tell(new Pinger.Go(echo, Trips, done));
                    done.Task.GetAwaiter().GetResult();
                });
                names.Add($"Akka.Remote Ask from a thread [{variants[i]}]");
                contenders.Add(() =>
                {
                    for (var n = 0; n < Trips; n++)
                        echo.Ask<int>(n, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
                });
            }
            if (withPool)
            {
                foreach (var variant in variants)
                {
                    foreach (var nodeHost in baseNodes is null ? [null] : new[] { null, baseNodes })
                    {
                        var cluster = ClusterOf(variant, nodeHost);
                        pools.Add(cluster);
                        names.Add($"pool ApplyAsync+Get, 2-node cluster [{variant}]{(nodeHost is null ? "" : ", base nodes")}");
                        contenders.Add(() => { for (var n = 0; n < Trips; n++) cluster.Pool.ApplyAsync(Jobs.Trivial, n).Get(); });
                        // The cluster's throughput, to check that what speeds up a round trip does not slow down many at once.
                        names.Add($"pool ApplyAsync: submit {Trips:N0}, then every Get [{variant}]{(nodeHost is null ? "" : ", base nodes")}");
                        contenders.Add(() =>
                        {
                            var results = new AsyncResult<int>[Trips];
                            for (var n = 0; n < Trips; n++)
                                results[n] = cluster.Pool.ApplyAsync(Jobs.Trivial, n);
                            foreach (var result in results)
                                result.Get();
                        });
                    }
                }
            }

            var rounds = Rounds.Run(Rounds_, TimeSpan.FromSeconds(1), contenders.ToArray());
            Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
            // The CPU a round trip takes in all the processes involved (this one, the peer, the
            // node hosts), once more for each contender: what the wall time is made of, apart
            // from waiting (wake-ups, and other processes' turns on a busy machine).
            var processes = new[] { Environment.ProcessId, peer.ProcessId }.Concat(pools.OfType<ClusterUnderTest>().SelectMany(c => new[] { c.Seed.ProcessId, c.Second.ProcessId })).ToArray();
            var cpu = contenders.Select(contender =>
            {
                var before = processes.Sum(CpuSeconds);
                contender();
                return processes.Sum(CpuSeconds) - before;
            }).ToArray();
            Console.WriteLine();
            Console.WriteLine("| path | median µs a round trip | lowest round | highest round | over raw TCP blocking (median of rounds) | CPU µs a round trip, all processes (one more round) |");
            Console.WriteLine("|---|---|---|---|---|---|");
            for (var c = 0; c < names.Count; c++)
            {
                var (ratio, _, _) = rounds.Ratio(0, c);
                Console.WriteLine($"| {names[c]} | {Micro(rounds.Median(c))} | {Micro(rounds.Lowest(c))} | {Micro(rounds.Highest(c))} | {ratio:F2}x | {Micro(cpu[c])} |");
            }
            // Each contender on base nodes comes right after its twin on this build's nodes.
            for (var c = 1; c < names.Count; c++)
            {
                if (!names[c].EndsWith(", base nodes", StringComparison.Ordinal))
                    continue;
                var (median, low, high) = rounds.Ratio(c - 2, c);
                Console.WriteLine($"{names[c - 2]}: {median:F2}x as fast on this build's nodes as on base nodes (rounds {low:F2}x to {high:F2}x)");
            }
        }
        finally
        {
            foreach (var pool in pools)
                pool.Dispose();
            foreach (var system in systems)
                system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }

    private static string Micro(double seconds) => $"{seconds / Trips * 1e6:F0}";

    /// <summary>The CPU time a process has used (user and system), in seconds, from /proc.</summary>
    private static double CpuSeconds(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": state is field 3
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // utime, stime (fields 14, 15) in clock ticks of 1/100 s
    }

    private static void BlockingPingPong(Socket socket)
    {
        var buffer = new byte[PayloadBytes];
        for (var n = 0; n < Trips; n++)
        {
            socket.Send(buffer);
            for (var read = 0; read < PayloadBytes;)
                read += socket.Receive(buffer, read, PayloadBytes - read, SocketFlags.None);
        }
    }

    private static async Task AsyncPingPong(Socket socket)
    {
        var buffer = new byte[PayloadBytes];
        for (var n = 0; n < Trips; n++)
        {
            await socket.SendAsync(buffer, SocketFlags.None);
            for (var read = 0; read < PayloadBytes;)
                read += await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
        }
    }

    private static Socket PlaneConnection(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>
    /// Reads frames of <see cref="PayloadBytes"/> from <paramref name="socket"/> on a thread of its
    /// own, handing each to <paramref name="deliver"/>, until the connection ends.
    /// </summary>
    private static void StartPlaneReader(Socket socket, Action<byte[]> deliver) => new Thread(() =>
    {
        try
        {
            while (true)
            {
                var frame = new byte[PayloadBytes];
                for (var read = 0; read < PayloadBytes;)
                {
                    var got = socket.Receive(frame, read, PayloadBytes - read, SocketFlags.None);
                    if (got == 0)
                        return;
                    read += got;
                }
                deliver(frame);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }) { IsBackground = true, Name = "plane reader" }.Start();

    /// <summary>Writes every frame it is sent to its connection, on its own thread.</summary>
    private sealed class PlaneWriter : ReceiveActor
    {
        public PlaneWriter(Socket socket) => Receive<byte[]>(frame => socket.Send(frame));
    }

    /// <summary>Writes a frame to its connection, and the next when the answer is handed to it, until it has made its round trips.</summary>
    private sealed class PlanePinger : ReceiveActor
    {
        public sealed record Go(int Trips, TaskCompletionSource Done);

        private Go? _go;
        private int _left;

        public PlanePinger(Socket socket)
        {
            var frame = new byte[PayloadBytes];
            Receive<Go>(go =>
            {
                _go = go;
                _left = go.Trips;
                socket.Send(frame);
            });
            Receive<byte[]>(_ =>
            {
                if (--_left == 0)
                    _go!.Done.SetResult();
                else
                    socket.Send(frame);
            });
        }
    }

    /// <summary>A cluster pool on two node hosts of its own, both under <paramref name="variant"/>'s settings, as is the pool's system.</summary>
    private static ClusterUnderTest ClusterOf(string variant, string? nodeHost)
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorpool-roundtrip-{Environment.ProcessId}-{variant}.hocon");
        File.WriteAllText(file, Variants[variant]);
        var config = new[] { "--config", file };
        var workers = Environment.ProcessorCount;
        var seed = NodeProcess.Start(typeof(Jobs).Assembly, workers: workers, arguments: config, nodeHost: nodeHost);
        var second = NodeProcess.Start(typeof(Jobs).Assembly, seed.Endpoint, workers: workers, arguments: config, nodeHost: nodeHost);
        try
        {
            var pool = new Pool(new PoolOptions
            {
                Deployment = PoolDeployment.Cluster, SeedNodes = [seed.Endpoint], Processes = workers,
                SystemSetup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString(Variants[variant]))),
            });
            pool.Map(Jobs.Trivial, Enumerable.Range(0, 1000), chunkSize: 1); // every worker joined and warm
            return new ClusterUnderTest(pool, seed, second, file);
        }
        catch
        {
            second.Dispose(); // the nodes this started, and nothing else
            seed.Dispose();
            throw;
        }
    }

    private sealed record ClusterUnderTest(Pool Pool, NodeProcess Seed, NodeProcess Second, string ConfigFile) : IDisposable
    {
        public void Dispose()
        {
            Pool.Dispose();
            Second.Dispose();
            Seed.Dispose();
            File.Delete(ConfigFile);
        }
    }

    /// <summary>Sends a message to a remote echo, and the next when the answer comes, until it has made its round trips.</summary>
    private sealed class Pinger : ReceiveActor
    {
        public sealed record Go(IActorRef Echo, int Trips, TaskCompletionSource Done);

        private Go? _go;
        private int _left;

        public Pinger()
        {
            Receive<Go>(go =>
            {
                _go = go;
                _left = go.Trips;
                go.Echo.Tell(_left);
            });
            Receive<int>(_ =>
            {
                if (--_left == 0)
                    _go!.Done.SetResult();
                else
                    _go!.Echo.Tell(_left);
            });
        }
    }

    /// <summary>The other process of the raw TCP and bare Akka.Remote round trips: this program in the mode <c>roundtrip-peer</c>.</summary>
    private sealed class Peer : IDisposable
    {
        private readonly Process _process;

        private Peer(Process process, int[] ports)
        {
            _process = process;
            Ports = ports;
        }

        public int ProcessId => _process.Id;

        /// <summary>Raw TCP blocking echo, raw TCP async echo, an own connection's actor echo, then one Akka.Remote system per variant.</summary>
        public int[] Ports { get; }

        public static Peer Start(IEnumerable<string> variants)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(typeof(RoundTrip).Assembly.Location);
            start.ArgumentList.Add("roundtrip-peer");
            foreach (var variant in variants)
                start.ArgumentList.Add(variant);
            var process = Process.Start(start)!;
            var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The round trip peer exited before it was ready.");
            return new Peer(process, line.Split(' ').Skip(1).Select(int.Parse).ToArray());
        }

        public void Dispose()
        {
            _process.StandardInput.Close(); // it exits when its input ends
            if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
                _process.Kill();
            _process.Dispose();
        }
    }

    /// <summary>The peer process: echoes until its standard input closes.</summary>
    public static void ServePeer(IReadOnlyList<string> variants)
    {
        var blocking = new TcpListener(IPAddress.Loopback, 0);
        blocking.Start();
        var asyncListener = new TcpListener(IPAddress.Loopback, 0);
        asyncListener.Start();
        new Thread(() =>
        {
            using var socket = blocking.AcceptSocket();
            socket.NoDelay = true;
            var buffer = new byte[PayloadBytes];
            try
            {
                while (true)
                {
                    for (var read = 0; read < PayloadBytes;)
                    {
                        var got = socket.Receive(buffer, read, PayloadBytes - read, SocketFlags.None);
                        if (got == 0)
                            return;
                        read += got;
                    }
                    socket.Send(buffer);
                }
            }
            catch (SocketException)
            {
            }
        }) { IsBackground = true }.Start();
        _ = Task.Run(async () =>
        {
            using var socket = await asyncListener.AcceptSocketAsync();
            socket.NoDelay = true;
            var buffer = new byte[PayloadBytes];
            try
            {
                while (true)
                {
                    for (var read = 0; read < PayloadBytes;)
                    {
                        var got = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
                        if (got == 0)
                            return;
                        read += got;
                    }
                    await socket.SendAsync(buffer, SocketFlags.None);
                }
            }
            catch (SocketException)
            {
            }
        });
        var planeListener = new TcpListener(IPAddress.Loopback, 0);
        planeListener.Start();
        var plane = ActorSystem.Create("plane", ConfigurationFactory.ParseString(LocalOnly));
        new Thread(() =>
        {
            try
            {
                while (true)
                {
                    var socket = planeListener.AcceptSocket();
                    socket.NoDelay = true;
                    var echo = plane.ActorOf(Props.Create(() => new PlaneWriter(socket)));
                    StartPlaneReader(socket, frame => echo.Tell(frame));
                }
            }
            catch (SocketException)
            {
            }
        }) { IsBackground = true }.Start();
        var ports = new List<int> { ((IPEndPoint)blocking.LocalEndpoint).Port, ((IPEndPoint)asyncListener.LocalEndpoint).Port, ((IPEndPoint)planeListener.LocalEndpoint).Port };
        var systems = new List<ActorSystem> { plane };
        foreach (var variant in variants)
        {
            var system = ActorSystem.Create("peer", ConfigOf(variant));
            system.ActorOf(Props.Create(() => new Echo()), "echo");
            systems.Add(system);
            ports.Add(((ExtendedActorSystem)system).Provider.DefaultAddress.Port!.Value);
        }
        Console.WriteLine("ready " + string.Join(' ', ports));
        Console.Out.Flush();
        Console.In.ReadToEnd();
        foreach (var system in systems)
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));
    }
}
