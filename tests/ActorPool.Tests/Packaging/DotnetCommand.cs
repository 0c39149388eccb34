using System.Diagnostics;
using System.Text;

namespace ActorPool.Tests.Packaging;

/// <summary>
/// Runs the dotnet command line as a user would, in a folder of the test's own, and stops what it
/// started: on the limit the command is killed with its whole process tree. Build servers are not
/// used (<c>--disable-build-servers</c> where the command builds), so nothing outlives it.
/// </summary>
internal static class DotnetCommand
{
    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/>; returns what it printed, or throws with it when it fails.</summary>
    public static string Run(string folder, IReadOnlyDictionary<string, string> environment, TimeSpan limit, params string[] arguments) =>
        RunProgram("dotnet", folder, environment, limit, arguments);

    /// <summary>Runs <paramref name="program"/>; returns what it printed, or throws with it when it fails.</summary>
    public static string RunProgram(string program, string folder, IReadOnlyDictionary<string, string> environment, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // What `dotnet test` set for its own MSBuild and test host is not the user's environment.
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                     || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToArray())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler append = (_, line) =>
        {
            if (line.Data is not null)
                lock (output)
                    output.AppendLine(line.Data);
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var command = $"{program} {string.Join(' ', arguments)}";
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output)
                throw new TimeoutException($"`{command}` did not finish within {limit}; it printed:\n{output}");
        }
        process.WaitForExit(); // the rest of its output
        lock (output)
        {
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"`{command}` exited with code {process.ExitCode}; it printed:\n{output}");
            return output.ToString();
        }
    }
}
