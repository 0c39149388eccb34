using System.Diagnostics;

namespace ActorPool.Testing;

/// <summary>
/// Which processes have run a job's tasks, for the tests and the benchmark: a task leaves a file
/// named after its process in a folder the caller watches.
/// </summary>
public static class ProcessMarker
{
    private const string Prefix = "started-";

    /// <summary>The marker that process <paramref name="processId"/> leaves in <paramref name="folder"/>.</summary>
    public static string PathFor(string folder, int processId) => Path.Combine(folder, $"{Prefix}{processId}");

    /// <summary>Leaves this process's marker in <paramref name="folder"/>, if it is not there yet.</summary>
    public static void Leave(string folder)
    {
        var marker = PathFor(folder, Environment.ProcessId);
        if (!File.Exists(marker))
            File.WriteAllText(marker, "");
    }

    /// <summary>The ids of the processes that have left a marker in <paramref name="folder"/>.</summary>
    public static IEnumerable<int> Found(string folder) =>
        Directory.GetFiles(folder, Prefix + "*").Select(file => int.Parse(Path.GetFileName(file)[Prefix.Length..]));

    /// <summary>Keeps the CPU busy for <paramref name="seconds"/>: work, where sleeping would free the core.</summary>
    public static void Spin(double seconds)
    {
        var until = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * seconds);
        while (Stopwatch.GetTimestamp() < until)
        {
        }
    }
}
