using System.Diagnostics;
using ActorPool.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Deployment;

/// <summary>
/// The worker processes of a <see cref="PoolDeployment.LocalProcesses"/> pool: node hosts on
/// 127.0.0.1 with one worker each, joined to the pool's cluster. A process that exits is seen at
/// once, from its process handle, not after failure detection: its node is reported lost to the
/// router, which sends its work to other workers, it is downed, and a replacement is started.
/// A process also exits on purpose, after leaving the cluster, when its worker is due for
/// replacement (<c>--replace-by-exit</c>: MaxTasksPerChild, or a task that timed out and left its
/// thread running); it is replaced the same way, with nothing of its own left to send elsewhere.
/// </summary>
internal sealed class LocalNodes : IDisposable
{
    /// <summary>Consecutive processes that may die before reporting ready before no more are started.</summary>
    private const int MaxFailedStarts = 3;

    private readonly ActorSystem _system;
    private readonly IActorRef _workers;
    private readonly string _nodeHostPath;
    private readonly string[] _loadArguments;
    private readonly PoolCertificate _certificate;
    private readonly ILoggingAdapter _log;
    private readonly object _gate = new();
    private readonly HashSet<Process> _running = new();
    private bool _stopped;
    private int _failedStarts;

    private LocalNodes(ActorSystem system, IActorRef workers, string nodeHostPath, string[] loadArguments, PoolCertificate certificate)
    {
        _system = system;
        _workers = workers;
        _nodeHostPath = nodeHostPath;
        _loadArguments = loadArguments;
        _certificate = certificate;
        _log = Logging.GetLogger(system, typeof(LocalNodes));
    }

    /// <summary>Starts <paramref name="count"/> worker processes that join the cluster of <paramref name="system"/>.</summary>
    public static LocalNodes Start(ActorSystem system, IActorRef workers, int count, string? nodeHostPath, PoolCertificate certificate)
    {
        var path = nodeHostPath ?? FindNodeHost(AppContext.BaseDirectory);
        // The nodes must be able to find user functions: they load every application assembly this process has loaded.
        var loads = AppDomain.CurrentDomain.GetAssemblies()
            .Where(assembly => !assembly.IsDynamic && assembly.Location.Length > 0
                && Path.GetDirectoryName(assembly.Location) == Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory))
            .SelectMany(assembly => new[] { "--load", assembly.Location })
            .ToArray();
        var nodes = new LocalNodes(system, workers, path, loads, certificate);
        try
        {
            for (var i = 0; i < count; i++)
                nodes.StartOne();
        }
        catch
        {
            nodes.Dispose(); // stop the ones already started
            throw;
        }
        return nodes;
    }

    /// <summary>
    /// The environment variable that tells a node host started here the application's folder, from
    /// which the node host of the ActorPool package takes ActorPool, Akka and the rest.
    /// </summary>
    public const string AppBaseVariable = "ACTORPOOL_APP_BASE";

    /// <summary>The <c>--certificate</c> of the node host that means: PKCS#12, without a password, on standard input.</summary>
    public const string StandardInputCertificate = "-";

    /// <summary>The folder, in an application's output, where the ActorPool package puts the node host.</summary>
    public const string PackagedNodeHostFolder = "actorpool-node";

    /// <summary>
    /// The node host in the application's folder <paramref name="application"/>: <c>ActorPool.Node.dll</c>
    /// itself (a project reference to ActorPool.Node puts it there), or the one the ActorPool
    /// package copies to <c>actorpool-node/</c>.
    /// </summary>
    internal static string FindNodeHost(string application)
    {
        var name = $"{DistributedDeployment.NodeHostAssembly}.dll";
        string[] candidates = [Path.Combine(application, name), Path.Combine(application, PackagedNodeHostFolder, name)];
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            $"A LocalProcesses pool starts its worker processes from the node host, {PackagedNodeHostFolder}/{name}, which the ActorPool "
            + $"package copies to the application's output folder when it builds or publishes, but it is not in {application}. "
            + "Build or publish the application with its ActorPool package reference (copying only the application's own files leaves it out), "
            + "or set PoolOptions.NodeHostPath to an ActorPool.Node.dll.", candidates[1]);
    }

    private void StartOne()
    {
        var self = Akka.Cluster.Cluster.Get(_system).SelfAddress;
        var start = NodeHostLaunch.For(_nodeHostPath);
        start.Environment[AppBaseVariable] = AppContext.BaseDirectory;
        string[] arguments =
        [
            "--hostname", self.Host, "--port", "0", "--seed", $"{self.Host}:{self.Port}", "--workers", "1",
            "--parent-pid", Environment.ProcessId.ToString(), "--replace-by-exit",
            "--certificate", StandardInputCertificate, // the pool's, on the pipe written below
        ];
        start.RedirectStandardInput = true;
        foreach (var argument in arguments.Concat(_loadArguments))
            start.ArgumentList.Add(argument);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        Address? address = null;
        string? lastError = null; // what a process that dies before it is ready said last, for the reason
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith(DistributedDeployment.NodeReadyLine, StringComparison.Ordinal) != true)
                return;
            try
            {
                Volatile.Write(ref address, DistributedDeployment.ParseSeed(line.Data[DistributedDeployment.NodeReadyLine.Length..].Trim(), tls: true));
                Interlocked.Exchange(ref _failedStarts, 0);
            }
            catch (ArgumentException ex)
            {
                _log.Error(ex, "A worker process reported a malformed address: {0}", line.Data);
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            // Once the pool stops, what a worker process says about losing its pool is expected.
            if (line.Data is not { Length: > 0 } text || Volatile.Read(ref _stopped))
                return;
            Volatile.Write(ref lastError, text);
            var (level, said) = NodeLogLine.Parse(text);
            _log.Log(level, null, "Worker process {0}: {1}", SafeId(process), said);
        };
        process.Exited += (_, _) => OnExited(process, () => Volatile.Read(ref address), () => Volatile.Read(ref lastError));
        lock (_gate)
        {
            if (_stopped)
                return;
            process.Start();
            _running.Add(process);
            // The readers start under the lock, before anything else may dispose of the process:
            // a process that dies at once is disposed of by OnExited, and one of a stopping pool by
            // Dispose, both of which take this lock first. Started later, a reader could find the
            // process disposed of already and throw here, failing the pool's start.
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        try
        {
            // A pipe's buffer holds far more than a certificate: this does not wait for the process to read.
            using var input = process.StandardInput.BaseStream;
            input.Write(_certificate.Pkcs12);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process died already and may be disposed of (its exit is handled as any other's), or the pool is stopping.
        }
    }

    private void OnExited(Process process, Func<Address?> addressOf, Func<string?> lastErrorOf)
    {
        bool othersRunning;
        lock (_gate)
        {
            _running.Remove(process);
            othersRunning = _running.Count > 0;
            if (_stopped)
            {
                process.Dispose();
                return;
            }
        }
        // Exited can fire before the last lines of output are handled: drain them first, so a
        // process that did report ready is not taken for one that never did.
        process.WaitForExit();
        var address = addressOf();
        var code = process.ExitCode;
        process.Dispose();
        if (address is null)
        {
            if (Interlocked.Increment(ref _failedStarts) >= MaxFailedStarts)
            {
                // No worker will come: the router fails what waits, and what is submitted later, at once.
                var reason = $"{MaxFailedStarts} worker processes in a row ({_nodeHostPath}) exited before they were ready, "
                    + $"the last with code {code}{(lastErrorOf() is { } said ? $", saying: {said}" : "")}. No more are started.";
                _log.Error(reason);
                if (!othersRunning) // while another process runs, it may still serve: only its loss would leave none
                    _workers.Tell(new WorkersCannotStart(reason));
                return;
            }
        }
        else
        {
            _workers.Tell(new NodeLost(address, $"exited with code {code}"));
            Akka.Cluster.Cluster.Get(_system).Down(address);
        }
        try
        {
            StartOne();
        }
        catch (Exception ex)
        {
            // This runs on a thread-pool thread: an exception here would take the whole process down.
            _log.Error(ex, "A replacement worker process could not be started.");
        }
    }

    /// <summary>
    /// The pool is stopping: from now on a process that exits is not replaced, and what processes
    /// print is no longer logged. They keep running until <see cref="Dispose"/>, so that the pool's
    /// system can close its connections to them first. Idempotent.
    /// </summary>
    public void Stop()
    {
        lock (_gate)
            _stopped = true;
    }

    /// <summary>Stops every worker process; no replacement is started from now on. Idempotent.</summary>
    public void Dispose()
    {
        Process[] running;
        lock (_gate)
        {
            _stopped = true;
            running = _running.ToArray();
            _running.Clear();
        }
        // Each is stopped on a thread of its own: killing a process tree reads every process of the
        // machine to find its children, and a killed process takes tens of milliseconds to exit
        // and close its output. Done one after the other, those added up for each process.
        // No iteration throws, so every process is killed and let go of, whatever happens to another.
        Parallel.ForEach(running, process =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
                if (!process.WaitForExit(ExitLimit))
                    _log.Warning("Worker process {0} did not exit within {1} s of being killed.", SafeId(process), ExitLimit.TotalSeconds);
            }
            catch (InvalidOperationException)
            {
                // It had already exited.
            }
            catch (Exception ex)
            {
                _log.Error(ex, "Worker process {0} could not be stopped.", SafeId(process));
            }
            finally
            {
                process.Dispose();
            }
        });
    }

    /// <summary>How long <see cref="Dispose"/> waits for a killed process to exit.</summary>
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(10);

    private static string SafeId(Process process)
    {
        try
        {
            return process.Id.ToString();
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }
}
