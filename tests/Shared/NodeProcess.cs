using System.Diagnostics;
using ActorPool.Remote;

namespace ActorPool.Testing;

/// <summary>
/// A real node host process (src/ActorPool.Node) on 127.0.0.1 and a free port, for the tests and
/// the benchmark (this file is linked into both). It is started with the calling assembly loaded,
/// so its functions resolve on the node, and it is killed when disposed: whoever starts a node
/// stops exactly what it started.
/// </summary>
internal sealed class NodeProcess : IDisposable
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

    /// <summary>How long a node may take to start, or to stop after SIGTERM.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Starts a node that loads <paramref name="functions"/>, and waits for its ready line.</summary>
    public static NodeProcess Start(System.Reflection.Assembly functions, string? seed = null, int workers = 1, string role = "worker")
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(NodeHostPath);
        foreach (var argument in new[] { "--port", "0", "--workers", workers.ToString(), "--role", role, "--load", functions.Location })
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
        if (!ready.Task.Wait(Limit))
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
        if (!_process.WaitForExit(Limit))
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

    /// <summary>The node host built next to the calling program (ActorPool.Node is a project reference).</summary>
    public static string NodeHostPath => Path.Combine(AppContext.BaseDirectory, "ActorPool.Node.dll");
}
