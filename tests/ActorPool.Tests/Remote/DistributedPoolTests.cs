using System.Diagnostics;
using System.Runtime.Serialization;
using ActorPool.Testing;

namespace ActorPool.Tests.Remote;

/// <summary>
/// What distributed pools owe beyond the contract: no work lost when a worker process or node
/// dies, work for nodes that join mid-job, and functions and values refused or failed cleanly.
/// Every process a test starts is stopped by it.
/// </summary>
public sealed class DistributedPoolTests : IDisposable
{
    private static readonly TimeSpan Limit = Gate.Limit;
    private static readonly System.Reflection.Assembly Functions = typeof(DistributedPoolTests).Assembly;
    private readonly string _markers = Directory.CreateTempSubdirectory("actorpool-test-").FullName;

    public void Dispose() => Directory.Delete(_markers, recursive: true);

    // ---- functions that run on the nodes (static: they travel by reference) ----

    /// <summary>Leaves a marker naming its process on first use there, then does half a millisecond of work.</summary>
    internal static int MarkAndWork(string markers, int x)
    {
        ProcessMarker.Leave(markers);
        ProcessMarker.Spin(0.0005);
        return x * 2;
    }

    /// <summary>Kills the process that runs it on item 7, every time.</summary>
    internal static int Poison(int x)
    {
        if (x == 7)
            Environment.Exit(3);
        return x;
    }

    /// <summary>On the first node (whose pid is in the argument), waits until a task has run on another node.</summary>
    internal static int WaitForAnotherNode(string gateAndFirstPid, int x)
    {
        var (gate, firstPid) = (gateAndFirstPid.Split('|')[0], int.Parse(gateAndFirstPid.Split('|')[1]));
        if (Environment.ProcessId != firstPid)
            File.WriteAllText(gate, "");
        else if (!SpinWait.SpinUntil(() => File.Exists(gate), Gate.Limit))
            throw new TimeoutException("No task ran on another node.");
        return Environment.ProcessId;
    }

    internal static int ProcessId(int x) => Environment.ProcessId;

    internal static int Twice(int x) => x * 2;

    public sealed class Box
    {
        public int Value { get; set; }

        public object? Extra { get; set; }
    }

    /// <summary>Item 2's result holds a delegate, which has no wire form.</summary>
    internal static Box MaybeUnserializable(int x) => new() { Value = x, Extra = x == 2 ? new Action(() => { }) : null };

    private int WaitForMarker(Func<int, bool>? ofProcess = null)
    {
        int? pid = null;
        Assert.True(SpinWait.SpinUntil(() =>
        {
            pid = ProcessMarker.Found(_markers)
                .Cast<int?>()
                .FirstOrDefault(id => ofProcess?.Invoke(id!.Value) ?? true);
            return pid is not null;
        }, Limit), "No task started on a worker.");
        return pid!.Value;
    }

    private static Pool LocalProcesses(int processes = 2) =>
        new(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = processes });

    private static Pool ClusterPool(string seed, TimeSpan? noWorkerTimeout = null) =>
        new(new PoolOptions { Deployment = PoolDeployment.Cluster, SeedNodes = [seed], Processes = 2, NoWorkerTimeout = noWorkerTimeout });

    // ---- no work lost ----

    [Fact]
    public void LocalProcesses_WorkerProcessKilledMidMap_MapReturnsEveryResultOnceInOrder()
    {
        using var lost = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(null, "ActorPool", "actorpool.workers.lost");
        using var pool = LocalProcesses();
        var input = Enumerable.Range(0, 4000).ToList();
        var result = pool.StarMapAsync<string, int, int>(MarkAndWork, input.Select(x => (_markers, x)), chunkSize: 10);
        Process.GetProcessById(WaitForMarker()).Kill(); // SIGKILL, in the middle of the job
        Assert.Equal(input.Select(x => x * 2), result.Get(Limit));
        Assert.Equal([2, 4], pool.Map(Twice, [1, 2])); // a replacement took its place
        // Counted before its work was sent again, so before the Map could end.
        Assert.Equal(1, lost.GetMeasurementSnapshot().Where(m => Equals(m.Tags["actorpool.pool"], pool.Name)).Sum(m => m.Value));
    }

    [Fact]
    public void Cluster_NodeKilledWithSigkillMidMap_MapReturnsEveryResultOnceInOrder() =>
        StopANodeMidMap_MapReturnsEveryResultOnceInOrder(node => node.Kill());

    [Fact]
    public void Cluster_NodeStoppedWithSigtermMidMap_LeavesGracefullyAndEveryResultArrivesOnce() =>
        StopANodeMidMap_MapReturnsEveryResultOnceInOrder(node => node.Terminate());

    /// <summary>Two nodes; once the second has started on a 4000-item Map, <paramref name="stop"/> it.</summary>
    private void StopANodeMidMap_MapReturnsEveryResultOnceInOrder(Action<NodeProcess> stop)
    {
        using var seed = NodeProcess.Start(Functions);
        using var stopped = NodeProcess.Start(Functions, seed.Endpoint);
        using var pool = ClusterPool(seed.Endpoint);
        var input = Enumerable.Range(0, 4000).ToList();
        var result = pool.StarMapAsync<string, int, int>(MarkAndWork, input.Select(x => (_markers, x)), chunkSize: 10);
        WaitForMarker(pid => pid == stopped.ProcessId);
        stop(stopped);
        Assert.Equal(input.Select(x => x * 2), result.Get(Limit));
    }

    [Fact]
    public void Cluster_NodeKilledThenPoolDisposed_TheSurvivorDownsOnlyTheDeadNodeAndServesOn()
    {
        // Seen by a user: after the dead node's unreachability, the pool's leave (which times out
        // while the dead node blocks convergence) and the driver downed by the nodes kept
        // membership changing, and Akka's split brain resolver, unstable for 35 s, downed every
        // member: the surviving seed exited, and the cluster was gone. And once the pool had gone,
        // keeping the majority split the two nodes evenly, and kept the lowest address: the dead
        // node's, when its port was the lower (the seed downed itself).
        using var seed = NodeProcess.Start(Functions);
        using var killed = NodeProcess.Start(Functions, seed.Endpoint);
        using (var pool = ClusterPool(seed.Endpoint))
        {
            var input = Enumerable.Range(0, 4000).ToList();
            var result = pool.StarMapAsync<string, int, int>(MarkAndWork, input.Select(x => (_markers, x)), chunkSize: 10);
            WaitForMarker(pid => pid == killed.ProcessId);
            killed.Kill();
            Assert.Equal(input.Select(x => x * 2), result.Get(Limit));
        }

        // The resolver decides once membership has been stable for stable-after (20 s): about 45 s
        // after the kill here, against 35 s for the decision to down everything.
        Assert.True(SpinWait.SpinUntil(() => seed.Errors.Contains("SBR took decision") || seed.HasExited, TimeSpan.FromSeconds(150)),
            $"The seed's split brain resolver never decided:\n{seed.Errors}");
        var decision = seed.Errors.Split('\n').First(line => line.Contains("SBR took decision"));
        Assert.DoesNotContain("DownAll", decision);
        Assert.DoesNotContain("including myself", decision);
        using var next = ClusterPool(seed.Endpoint);
        Assert.Equal([2, 4], next.MapAsync(Twice, [1, 2]).Get(Limit));
        Assert.False(seed.HasExited, seed.Errors);
    }

    [Fact]
    public void LocalProcesses_PoisonTask_FailsWithWorkerLostExceptionNamingIt()
    {
        using var pool = LocalProcesses();
        var error = Assert.Throws<WorkerLostException>(() => pool.Map(Poison, Enumerable.Range(0, 20), chunkSize: 1));
        Assert.Contains("input positions 7 to 7", error.Message);
        Assert.Equal([1, 2], pool.Map(Poison, [1, 2])); // the pool goes on with fresh processes
    }

    [Fact]
    public void Cluster_DriverKilledWhileUp_IsDownedSoTheClusterCanMoveOn()
    {
        // Akka's split brain resolver alone would wait stable-after (here 300 s, so that only the
        // node's own downing can pass this test) with no member coming or going.
        var config = Path.Combine(_markers, "node.conf");
        File.WriteAllText(config, """
            akka.cluster.split-brain-resolver.stable-after = 300s
            actorpool.remote.down-unreachable-driver-after = 1s
            """);
        using var seed = NodeProcess.Start(Functions, arguments: ["--config", config]);
        using var deadDriver = NodeProcess.Start(Functions, seed.Endpoint, role: ActorPool.Protocol.ClusterNames.DriverRole);
        using var pool = ClusterPool(seed.Endpoint);
        var cluster = Akka.Cluster.Cluster.Get(pool.System);
        bool DeadDriverIs(Func<Akka.Cluster.Member, bool> condition) =>
            cluster.State.Members.Any(m => $"{m.Address.Host}:{m.Address.Port}" == deadDriver.Endpoint && condition(m));
        Assert.True(SpinWait.SpinUntil(() => DeadDriverIs(m => m.Status == Akka.Cluster.MemberStatus.Up), Limit), "The driver never came up.");

        deadDriver.Kill(); // no goodbye: an Up member that no longer answers

        Assert.True(SpinWait.SpinUntil(() => !DeadDriverIs(_ => true), Limit), "The dead driver is still a member.");
        Assert.Equal([2, 4], pool.Map(Twice, [1, 2]));
    }

    [Fact]
    public async Task Cluster_PoolWhoseSystemStopsWhileJoining_LeavesInsteadOfLingering()
    {
        using var seed = NodeProcess.Start(Functions);
        using var observer = ClusterPool(seed.Endpoint);
        Assert.Equal([2], observer.Map(Twice, [1])); // the observer is in the cluster
        var removed = new System.Collections.Concurrent.ConcurrentDictionary<Akka.Actor.Address, Akka.Cluster.MemberStatus>();
        observer.System.ActorOf(Akka.Actor.Props.Create(() => new RemovalRecorder(removed)));
        var gone = new List<Akka.Actor.Address>();
        for (var i = 0; i < 3; i++)
        {
            // Stopped at once: its join is still on its way to the seed.
            var pool = ClusterPool(seed.Endpoint);
            gone.Add(Akka.Cluster.Cluster.Get(pool.System).SelfAddress);
            await pool.System.Terminate().WaitAsync(Limit);
            await pool.DisposeAsync();
        }
        // A pool that was welcomed after it stopped would be removed only once downed, as an
        // unreachable member that held the cluster back meanwhile; one that left is removed from Exiting.
        Assert.True(SpinWait.SpinUntil(() => gone.All(removed.ContainsKey), 2 * Limit), "A pool stopped while joining is still a member.");
        Assert.All(gone, address => Assert.Equal(Akka.Cluster.MemberStatus.Exiting, removed[address]));
    }

    /// <summary>Records, for each member removed from the cluster, the status it was removed from.</summary>
    private sealed class RemovalRecorder : Akka.Actor.ReceiveActor
    {
        public RemovalRecorder(System.Collections.Concurrent.ConcurrentDictionary<Akka.Actor.Address, Akka.Cluster.MemberStatus> removed)
        {
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, typeof(Akka.Cluster.ClusterEvent.MemberRemoved));
            Receive<Akka.Cluster.ClusterEvent.MemberRemoved>(e => removed[e.Member.Address] = e.PreviousStatus);
            ReceiveAny(_ => { });
        }
    }

    [Fact]
    public void Cluster_NodeJoiningMidJob_ReceivesWork()
    {
        using var first = NodeProcess.Start(Functions);
        using var pool = ClusterPool(first.Endpoint);
        var gate = $"{Path.Combine(_markers, "gate")}|{first.ProcessId}";
        var result = pool.StarMapAsync<string, int, int>(WaitForAnotherNode, Enumerable.Range(0, 20).Select(x => (gate, x)), chunkSize: 1);
        using var joiner = NodeProcess.Start(Functions, first.Endpoint);
        var pids = result.Get(Limit);
        Assert.Contains(joiner.ProcessId, pids);
    }

    [Fact]
    public void Cluster_TasksRunOnTheNodesNotInThisProcess()
    {
        using var node = NodeProcess.Start(Functions);
        using var pool = ClusterPool(node.Endpoint);
        Assert.All(pool.Map(ProcessId, Enumerable.Range(0, 10)), pid => Assert.Equal(node.ProcessId, pid));
    }

    [Fact]
    public void Cluster_NoWorkerNode_PendingWorkFailsAfterTheTimeout()
    {
        using var other = NodeProcess.Start(Functions, role: "not-a-worker");
        using var pool = ClusterPool(other.Endpoint, noWorkerTimeout: TimeSpan.FromSeconds(1));
        var error = Assert.Throws<TimeoutException>(() => pool.Apply(Twice, 1));
        Assert.Contains("No worker joined", error.Message);
    }

    [Fact]
    public void LocalProcesses_NodeHostThatCannotStart_WorkFailsAtOnceNamingIt()
    {
        // The node host alone, without its dependencies and runtime configuration: every process dies at start.
        var lonely = Path.Combine(_markers, "ActorPool.Node.dll");
        File.Copy(NodeProcess.NodeHostPath, lonely);
        using var pool = new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.LocalProcesses,
            Processes = 1,
            NodeHostPath = lonely,
            NoWorkerTimeout = TimeSpan.FromHours(1), // not what ends the wait
        });
        var error = Assert.Throws<InvalidOperationException>(() => pool.Apply(Twice, 1));
        Assert.Contains("cannot start", error.Message);
        Assert.Contains(lonely, error.Message);
        Assert.Throws<InvalidOperationException>(() => pool.Apply(Twice, 2)); // and so does later work
    }

    // ---- no process outlives the pool that started it ----

    [Fact]
    public void LocalProcesses_WorkerProcess_IsToldToExitWithThePoolsProcess()
    {
        using var pool = LocalProcesses(processes: 1);
        var worker = pool.Apply(ProcessId, 0);
        var arguments = File.ReadAllText($"/proc/{worker}/cmdline").Split('\0');
        var at = Array.IndexOf(arguments, "--parent-pid");
        Assert.True(at >= 0, $"The worker process was started without --parent-pid: {string.Join(' ', arguments)}");
        Assert.Equal(Environment.ProcessId.ToString(), arguments[at + 1]);
    }

    /// <summary>128 + SIGKILL: how a process that killed itself at once, with no graceful leave, ends.</summary>
    private const int KilledAtOnce = 137;

    [Fact]
    public void NodeHost_ParentProcessKilled_NodeExitsAtOnceWithoutGracefulLeave()
    {
        // As in a LocalProcesses pool, the parent is the node's cluster: once it is gone a
        // graceful leave could only wait for a leader that will never answer.
        using var parent = NodeProcess.Start(Functions);
        using var node = NodeProcess.Start(Functions, seed: parent.Endpoint, arguments: ["--parent-pid", parent.ProcessId.ToString()]);
        parent.Kill();
        Assert.True(node.WaitForExit(Limit), "The node outlived the process named by --parent-pid.");
        Assert.Equal(KilledAtOnce, node.ExitCode);
    }

    [Fact]
    public void NodeHost_ParentKilledButNeverReaped_NodeExits()
    {
        // The node's parent is a shell that runs it; the shell's own parent is `sleep`, which
        // never reaps children, so the killed shell stays a zombie, which still answers kill(pid, 0).
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("""sh -c 'dotnet "$NODE" --port 0 --load "$LOAD" --parent-pid $$ & echo "node $! parent $$"; wait' & exec sleep 600""");
        start.Environment["NODE"] = NodeProcess.NodeHostPath;
        start.Environment["LOAD"] = Functions.Location;
        using var outer = Process.Start(start)!;
        int? node = null;
        try
        {
            var ids = outer.StandardOutput.ReadLine()!.Split(' ');
            node = int.Parse(ids[1]);
            var shell = int.Parse(ids[3]);
            Assert.StartsWith(ActorPool.Deployment.DistributedDeployment.NodeReadyLine, outer.StandardOutput.ReadLine());
            using (var kill = Process.Start("kill", ["-KILL", shell.ToString()]))
                kill.WaitForExit();
            Assert.True(SpinWait.SpinUntil(() => ProcessState(shell) == 'Z', Limit), "The shell did not become a zombie.");
            Assert.True(SpinWait.SpinUntil(() => ProcessState(node.Value) is null or 'Z', Limit), "The node outlived its parent shell.");
        }
        finally
        {
            // The node is no longer in the outer process's tree once its shell has died.
            if (node is { } pid && ProcessState(pid) is not (null or 'Z'))
                Process.GetProcessById(pid).Kill();
            outer.Kill(entireProcessTree: true);
            outer.WaitForExit();
        }
    }

    /// <summary>The state letter in /proc/<paramref name="pid"/>/stat (R, S, Z, …); null once the process is gone.</summary>
    private static char? ProcessState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return null;
        }
    }

    [Fact]
    public void NodeHost_ParentProcessAlreadyGone_RefusesToStart()
    {
        int gone;
        using (var parent = Process.Start("true"))
        {
            parent.WaitForExit();
            gone = parent.Id;
        }
        var error = Assert.Throws<InvalidOperationException>(() => NodeProcess.Start(Functions, arguments: ["--parent-pid", gone.ToString()]));
        Assert.Contains($"--parent-pid {gone}: no such process", error.Message);
    }

    // ---- functions and values across the wire ----

    [Fact]
    public void Distributed_LambdaCapturingAVariableThatCannotTravel_IsRefusedAtSubmissionNamingIt()
    {
        var pool = LocalProcesses(processes: 1);
        object factor = 3;
        var error = Assert.Throws<ArgumentException>(() => pool.Map(x => x * (int)factor, [1, 2]));
        Assert.Equal("func", error.ParamName);
        Assert.Contains(nameof(Distributed_LambdaCapturingAVariableThatCannotTravel_IsRefusedAtSubmissionNamingIt), error.Message);
        Assert.Contains("'factor'", error.Message);
        Assert.Throws<ArgumentException>(() => pool.ApplyAsync(() => factor));
        Assert.Throws<ArgumentException>(() => pool.IMap(x => x * (int)factor, [1]));
        pool.Close();
        pool.Join(); // nothing was left registered
    }

    [Fact]
    public void Distributed_CapturingRetryIf_IsRefusedAtSubmissionNamingIt()
    {
        using var pool = LocalProcesses(processes: 1);
        var retryable = typeof(TimeoutException);
        var options = new JobOptions { Retries = 1, RetryIf = error => error.GetType() == retryable };
        Assert.Equal("options.RetryIf", Assert.Throws<ArgumentException>(() => pool.Map(Describe, [1, 2], options: options)).ParamName);
        Assert.Equal("options.RetryIf", Assert.Throws<ArgumentException>(() => pool.ApplyAsync(Describe, 1, options: options)).ParamName);
    }

    internal static string Describe(int x) => $"<{x}>";

    [Fact]
    public void Distributed_MethodPassedAsADelegateOfOtherTypes_IsRefusedAtSubmissionNamingIt()
    {
        using var pool = LocalProcesses(processes: 1);
        // C# converts the method group: its string results would come back typed as string, not object.
        var error = Assert.Throws<ArgumentException>(() => pool.Map<int, object>(Describe, [1, 2]));
        Assert.Equal("func", error.ParamName);
        Assert.Contains(nameof(Describe), error.Message);
        Assert.Equal(["<1>", "<2>"], pool.Map<int, string>(Describe, [1, 2]));
    }

    [Fact]
    public void Distributed_UnserializableResult_FailsOnlyItsTask()
    {
        using var pool = LocalProcesses(processes: 1);
        var results = pool.IMap(MaybeUnserializable, Enumerable.Range(0, 5));
        Assert.Equal(0, results.Next(Limit).Value);
        Assert.Equal(1, results.Next(Limit).Value);
        var error = Assert.Throws<SerializationException>(() => results.Next(Limit));
        Assert.Contains(nameof(MaybeUnserializable), error.Message);
        Assert.Equal(3, results.Next(Limit).Value);
        Assert.Equal(4, results.Next(Limit).Value);
    }
}
