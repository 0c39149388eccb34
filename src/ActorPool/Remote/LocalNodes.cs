using System.Diagnostics;
using System.Reflection;
using ActorPool.Routing;
using Akka.Actor;
using Akka.Event;

namespace ActorPool.Remote;

/// <summary>
/// The worker processes of a <see cref="PoolDeployment.LocalProcesses"/> pool: node hosts on
/// 127.0.0.1 with one worker each, joined to the pool's cluster. A process that exits is seen at
/// once, from its process handle, not after failure detection: its node is reported lost to the
/// router, which sends its work to other workers, it is downed, and a replacement is started.
/// </summary>
internal sealed class LocalNodes : IDisposable
{
    /// <summary>Consecutive processes that may die before reporting ready before no more are started.</summary>
    private const int MaxFailedStarts = 3;

    private readonly ActorSystem _system;
    private readonly IActorRef _workers;
    private readonly string _nodeHostPath;
    private readonly string[] _loadArguments;
    private readonly ILoggingAdapter _log;
    private readonly object _gate = new();
    private readonly HashSet<Process> _running = new();
    private bool _stopped;
    private int _failedStarts;

    private LocalNodes(ActorSystem system, IActorRef workers, string nodeHostPath, string[] loadArguments)
    {
        _system = system;
        _workers = workers;
        _nodeHostPath = nodeHostPath;
        _loadArguments = loadArguments;
        _log = Logging.GetLogger(system, typeof(LocalNodes));
    }

    /// <summary>Starts <paramref name="count"/> worker processes that join the cluster of <paramref name="system"/>.</summary>
    public static LocalNodes Start(ActorSystem system, IActorRef workers, int count, string? nodeHostPath)
    {
        var path = nodeHostPath ?? Path.Combine(AppContext.BaseDirectory, "ActorPool.Node.dll");
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"The node host ActorPool.Node.dll was not found at {path}. Reference the ActorPool.Node project, or set PoolOptions.NodeHostPath.", path);
        // The nodes must be able to find user functions: they load every application assembly this process has loaded.
        var loads = AppDomain.CurrentDomain.GetAssemblies()
            .Where(assembly => !assembly.IsDynamic && assembly.Location.Length > 0
                && Path.GetDirectoryName(assembly.Location) == Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory))
            .SelectMany(assembly => new[] { "--load", assembly.Location })
            .ToArray();
        var nodes = new LocalNodes(system, workers, path, loads);
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

    private void StartOne()
    {
        var self = Akka.Cluster.Cluster.Get(_system).SelfAddress;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { _nodeHostPath, "--hostname", self.Host, "--port", "0", "--seed", $"{self.Host}:{self.Port}", "--workers", "1", "--parent-pid", Environment.ProcessId.ToString() }.Concat(_loadArguments))
            start.ArgumentList.Add(argument);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        Address? address = null;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith(DistributedDeployment.NodeReadyLine, StringComparison.Ordinal) != true)
                return;
            try
            {
                Volatile.Write(ref address, DistributedDeployment.ParseSeed(line.Data[DistributedDeployment.NodeReadyLine.Length..].Trim()));
                Interlocked.Exchange(ref _failedStarts, 0);
            }
            catch (ArgumentException ex)
            {
                _log.Error(ex, "A worker process reported a malformed address: {0}", line.Data);
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text)
                _log.Warning("Worker process {0}: {1}", SafeId(process), text);
        };
        process.Exited += (_, _) => OnExited(process, () => Volatile.Read(ref address));
        lock (_gate)
        {
            if (_stopped)
                return;
            process.Start();
            _running.Add(process);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void OnExited(Process process, Func<Address?> addressOf)
    {
        lock (_gate)
        {
            _running.Remove(process);
            if (_stopped)
                return;
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
                _log.Error("{0} worker processes in a row exited before they were ready; no more are started. Pending work fails after the no-worker timeout.", MaxFailedStarts);
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

    /// <summary>Stops every worker process; no replacement is started from now on.</summary>
    public void Dispose()
    {
        Process[] running;
        lock (_gate)
        {
            _stopped = true;
            running = _running.ToArray();
            _running.Clear();
        }
        foreach (var process in running)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // It had already exited.
            }
            process.Dispose();
        }
    }

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
