using System.Diagnostics;

/// <summary>
/// Times contenders side by side. The machine's speed drifts by more than many of the effects
/// measured (the same serial loop differs by 20% minutes apart), so after a warm-up each round runs
/// every contender once, back to back, and each ratio is taken within its round.
/// </summary>
internal sealed class Rounds
{
    private readonly double[][] _seconds; // [round][contender]

    private Rounds(double[][] seconds) => _seconds = seconds;

    /// <summary>
    /// Runs each contender repeatedly for at least <paramref name="warmUp"/> (and at least once),
    /// then <paramref name="count"/> rounds. The warm-up lets the JIT promote hot code to its
    /// optimized tiers, which it does in the background after a method has run a while: timing
    /// before that measures the JIT, not the contender.
    /// </summary>
    public static Rounds Run(int count, TimeSpan warmUp, params Action[] contenders) =>
        RunMeasured(count, warmUp, contenders.Select(contender => (Func<double>)(() => Time(contender))).ToArray());

    /// <summary>
    /// As <see cref="Run"/>, for contenders that time themselves, returning the seconds that count
    /// (to leave out what a contender must set up around the job it times).
    /// </summary>
    public static Rounds RunMeasured(int count, TimeSpan warmUp, params Func<double>[] contenders)
    {
        foreach (var contender in contenders)
        {
            var watch = Stopwatch.StartNew();
            do
                contender();
            while (watch.Elapsed < warmUp);
        }
        var seconds = new double[count][];
        for (var round = 0; round < count; round++)
            seconds[round] = contenders.Select(contender => contender()).ToArray();
        return new Rounds(seconds);
    }

    /// <summary>The median of one contender's times, in seconds.</summary>
    public double Median(int contender) => Program.MedianOf(_seconds.Select(round => round[contender]));

    /// <summary>The lowest of one contender's times, in seconds.</summary>
    public double Lowest(int contender) => _seconds.Min(round => round[contender]);

    /// <summary>The highest of one contender's times, in seconds.</summary>
    public double Highest(int contender) => _seconds.Max(round => round[contender]);

    /// <summary>How many times faster <paramref name="ours"/> is than <paramref name="theirs"/>: the median over rounds, and the lowest and highest round.</summary>
    public (double Median, double Low, double High) Ratio(int ours, int theirs)
    {
        var ratios = _seconds.Select(round => round[theirs] / round[ours]).ToArray();
        return (Program.MedianOf(ratios), ratios.Min(), ratios.Max());
    }

    /// <summary>Prints a report row: the two medians, and the ratio with its range over the rounds.</summary>
    public void Row(string job, int ours, string against, int theirs, string target)
    {
        var (median, low, high) = Ratio(ours, theirs);
        Console.WriteLine($"| {job} | {Program.Format(Median(ours))} | {against}: {Program.Format(Median(theirs))} "
            + $"| {median:F2}x (rounds {low:F2}x to {high:F2}x) | {target} |");
    }

    /// <summary>Prints a report row for a cost: the two medians, and <paramref name="costly"/>'s time over <paramref name="baseline"/>'s, with its range over the rounds.</summary>
    public void CostRow(string job, int baseline, int costly, string target)
    {
        var (median, low, high) = Ratio(baseline, costly); // the costly one's time over the baseline's
        Console.WriteLine($"| {job} | {Program.Format(Median(baseline))} | {Program.Format(Median(costly))} "
            + $"| {median:F2}x (rounds {low:F2}x to {high:F2}x) | {target} |");
    }

    /// <summary>How long <paramref name="contender"/> takes, in seconds.</summary>
    public static double Time(Action contender)
    {
        var watch = Stopwatch.StartNew();
        contender();
        return watch.Elapsed.TotalSeconds;
    }
}
