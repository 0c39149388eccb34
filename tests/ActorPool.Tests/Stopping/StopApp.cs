using System.Diagnostics;
using System.Text;

namespace ActorPool.Tests.Stopping;

/// <summary>
/// tests/ActorPool.StopApp run as a process of its own, as a user's application: its output is
/// collected line by line, and it is stopped the way a service manager stops one (SIGTERM).
/// Disposing it kills what is left of it, so a test stops exactly what it started.
/// </summary>
internal sealed class StopApp : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _gate = new();
    private int _streamsEnded;

    private StopApp(Process process) => _process = process;

    public int ProcessId => _process.Id;

    /// <summary>The app's exit code, once it has exited (143 for a process ended by SIGTERM).</summary>
    public int ExitCode => _process.ExitCode;

    public static StopApp Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ActorPool.StopApp.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var app = new StopApp(new Process { StartInfo = start });
        app._process.OutputDataReceived += (_, line) => app.Append(line.Data);
        app._process.ErrorDataReceived += (_, line) => app.Append(line.Data);
        app._process.Start();
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Everything the app has printed so far, standard output and error interleaved.</summary>
    public string Output
    {
        get { lock (_gate) return _output.ToString(); }
    }

    /// <summary>Waits until the app prints a line that contains <paramref name="text"/>; throws if its output ends first.</summary>
    public void WaitForLine(string text)
    {
        lock (_gate)
        {
            var deadline = DateTime.UtcNow + Gate.Limit;
            while (!_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _streamsEnded == 2)
                    throw new TimeoutException($"The app never printed '{text}'. It printed:\n{_output}");
                Monitor.Wait(_gate, left);
            }
        }
    }

    /// <summary>Child processes of the app (a LocalProcesses pool's workers).</summary>
    public int[] Children() =>
        Directory.GetDirectories($"/proc/{_process.Id}/task")
            .SelectMany(task => ChildrenOf(task).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse)
            .ToArray();

    /// <summary>The children a thread of the app started; none if the thread has exited since it was listed (its children pass to another).</summary>
    private static string ChildrenOf(string task)
    {
        try
        {
            return File.ReadAllText(Path.Combine(task, "children"));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return "";
        }
    }

    /// <summary>Sends SIGTERM, as a service manager or Ctrl-C would.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
        kill.WaitForExit();
    }

    /// <summary>Kills the app with SIGKILL, as a crash or an out-of-memory killer would, and waits for it to be gone.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>Waits for the app to exit; false if it is still running after the tests' safety limit.</summary>
    public bool WaitForExit()
    {
        if (!_process.WaitForExit(Gate.Limit))
            return false;
        _process.WaitForExit(); // and for the rest of its output
        return true;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_gate)
        {
            if (line is null)
                _streamsEnded++; // standard output or error has ended: the process is exiting
            else
                _output.AppendLine(line);
            Monitor.PulseAll(_gate);
        }
    }
}
