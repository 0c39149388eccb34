using System.Diagnostics;
using ActorPool.Deployment;

namespace ActorPool.Testing;

/// <summary>
/// A real node host process (src/ActorPool.Node) on 127.0.0.1 and a free port, for the tests and
/// the benchmark. It is started with the calling assembly loaded, so its functions resolve on the
/// node, and it is killed when disposed: whoever starts a node stops exactly what it started.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    /// <summary>
    /// What the node host prints, followed by "host:port", once it is ready: its documented output
    /// (README), read here from outside as a user's script would. It must match
    /// <c>ActorPool.Deployment.DistributedDeployment.NodeReadyLine</c>, which the node host prints and
    /// <c>LocalNodes</c> reads; a test in ActorPool.Tests checks that it does.
    /// </summary>
    public const string ReadyLine = "ActorPool node ready at ";

    private readonly Process _process;
    private readonly System.Text.StringBuilder _errors;

    private NodeProcess(Process process, string endpoint, System.Text.StringBuilder errors)
    {
        _process = process;
        Endpoint = endpoint;
        _errors = errors;
    }

    /// <summary>What the node has written to standard error so far (its log: warnings and errors, one a line).</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
                return _errors.ToString();
        }
    }

    /// <summary>"host:port" of the node, as a seed address.</summary>
    public string Endpoint { get; }

    /// <summary>The node's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>How long a node may take to start, or to stop after SIGTERM.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Starts a node that loads <paramref name="functions"/>, and waits for its ready line.</summary>
    /// <param name="functions">The assembly the node loads (<c>--load</c>).</param>
    /// <param name="seed">"host:port" of a node to join; null to start a cluster.</param>
    /// <param name="workers">Its workers.</param>
    /// <param name="role">Its role.</param>
    /// <param name="arguments">More command-line arguments; null for none.</param>
    /// <param name="environment">More environment variables; null for none.</param>
    /// <param name="nodeHost">The node host to run: null for the one built beside the caller (<see cref="NodeHostPath"/>); another build's for an A/B benchmark.</param>
    public static NodeProcess Start(System.Reflection.Assembly functions, string? seed = null, int workers = 1, string role = "worker",
        IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null, string? nodeHost = null)
    {
        // Started as a LocalProcesses pool starts its node hosts: an application on ASP.NET Core
        // (the benchmark, with the dashboard) has some of the node host's dependencies from that framework only.
        var start = NodeHostLaunch.For(nodeHost ?? NodeHostPath);
        foreach (var argument in new[] { "--port", "0", "--workers", workers.ToString(), "--role", role, "--load", functions.Location })
            start.ArgumentList.Add(argument);
        if (seed is not null)
        {
            start.ArgumentList.Add("--seed");
            start.ArgumentList.Add(seed);
        }
        foreach (var argument in arguments ?? [])
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var process = Process.Start(start)!;
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
                lock (errors)
                    errors.AppendLine(line.Data);
        };
        process.BeginErrorReadLine();
        var ready = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
                ready.TrySetResult(null); // the output ended: the process is exiting
            else if (line.Data.StartsWith(ReadyLine, StringComparison.Ordinal))
                ready.TrySetResult(line.Data[ReadyLine.Length..].Trim());
        };
        process.BeginOutputReadLine();
        if (!ready.Task.Wait(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The node host did not report ready.");
        }
        if (ready.Task.Result is not { } endpoint)
        {
            process.WaitForExit(); // and for the rest of its error output
            lock (errors)
                throw new InvalidOperationException($"The node host exited with code {process.ExitCode} before it was ready: {errors}");
        }
        return new NodeProcess(process, endpoint, errors);
    }

    /// <summary>Asks the node to stop (SIGTERM), as a service manager would, and waits until it has.</summary>
    public void Terminate()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
            kill.WaitForExit();
        if (!_process.WaitForExit(Limit))
            throw new TimeoutException("The node did not stop after SIGTERM.");
    }

    /// <summary>Whether the node has exited, for whatever reason.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once it has exited: 128 + the signal's number if a signal ended it.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Waits until the node has exited on its own; false if it is still running after <paramref name="limit"/>.</summary>
    public bool WaitForExit(TimeSpan limit) => _process.WaitForExit(limit);

    /// <summary>Kills the node at once (SIGKILL): no goodbye to the cluster.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Kills the node (see <see cref="Kill"/>) and lets go of its process handle.</summary>
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary>The node host built next to the calling program, which must reference the ActorPool.Node project.</summary>
    public static string NodeHostPath => Path.Combine(AppContext.BaseDirectory, "ActorPool.Node.dll");
}
