using System.Diagnostics;
using ActorPool.Remote;

namespace ActorPool.Tests.Remote;

/// <summary>
/// A real node host process (src/ActorPool.Node) on 127.0.0.1 and a free port, for tests. It is
/// started with this test assembly loaded, so test functions resolve on it, and it is killed when
/// disposed: a test stops exactly what it started.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;

    private NodeProcess(Process process, string endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>"host:port" of the node, as a seed address.</summary>
    public string Endpoint { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts a node and waits for its ready line.</summary>
    public static NodeProcess Start(string? seed = null, int workers = 1, string role = "worker")
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(NodeHostPath);
        foreach (var argument in new[] { "--port", "0", "--workers", workers.ToString(), "--role", role, "--load", typeof(NodeProcess).Assembly.Location })
            start.ArgumentList.Add(argument);
        if (seed is not null)
        {
            start.ArgumentList.Add("--seed");
            start.ArgumentList.Add(seed);
        }
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
                ready.TrySetException(new InvalidOperationException("The node host exited before it was ready."));
            else if (line.Data.StartsWith(DistributedDeployment.NodeReadyLine, StringComparison.Ordinal))
                ready.TrySetResult(line.Data[DistributedDeployment.NodeReadyLine.Length..].Trim());
        };
        process.BeginOutputReadLine();
        if (!ready.Task.Wait(Gate.Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The node host did not report ready.");
        }
        return new NodeProcess(process, ready.Task.Result);
    }

    /// <summary>Asks the node to stop (SIGTERM), as a service manager would, and waits until it has.</summary>
    public void Terminate()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
            kill.WaitForExit();
        if (!_process.WaitForExit(Gate.Limit))
            throw new TimeoutException("The node did not stop after SIGTERM.");
    }

    /// <summary>Kills the node at once (SIGKILL): no goodbye to the cluster.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary>The node host built next to this test assembly (ActorPool.Node is a project reference).</summary>
    public static string NodeHostPath => Path.Combine(AppContext.BaseDirectory, "ActorPool.Node.dll");
}

/// <summary>A two-node cluster shared by the tests of one class.</summary>
public sealed class TwoNodeCluster : IDisposable
{
    public TwoNodeCluster()
    {
        Seed = NodeProcess.Start();
        Second = NodeProcess.Start(Seed.Endpoint);
    }

    public NodeProcess Seed { get; }

    public NodeProcess Second { get; }

    public void Dispose()
    {
        Second.Dispose();
        Seed.Dispose();
    }
}
