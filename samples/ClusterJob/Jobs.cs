using System.Diagnostics;

namespace ClusterJob;

/// <summary>The functions the cluster runs.</summary>
public static class Jobs
{
    public static int Func(int x) => x + 1;

    /// <summary>A millisecond of work, then the id of the process that did it.</summary>
    public static int WhereAmI(int x)
    {
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000;
        while (Stopwatch.GetTimestamp() < until)
        {
        }
        return Environment.ProcessId;
    }
}
