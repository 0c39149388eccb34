// A long job that survives its driver: a durable Map with a live progress bar. Stop it with Ctrl-C,
// or kill it (kill -9), and run it again: it resumes where it was, and what was done is not redone.
//
//   dotnet run --project samples/LongJob [journal file]   (default: longjob.db in the current folder)
//   dotnet run --project samples/LongJob -- --forget      to start the job over
using ActorPool;
using Spectre.Console;

const string JobId = "primes-below-400k";
var forget = args.Contains("--forget");
var journal = args.FirstOrDefault(arg => !arg.StartsWith("--")) ?? "longjob.db";

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop the job, not the process: the pool then closes the journal cleanly
    stop.Cancel();
};

using var pool = new Pool(new PoolOptions { JournalPath = journal });
if (forget)
{
    AnsiConsole.MarkupLine(pool.ForgetJob(JobId) ? "[yellow]Forgot the recorded job.[/]" : "Nothing recorded yet.");
    return 0;
}

// 400 tasks of about a tenth of a second each, one per chunk: each is recorded as it completes.
var blocks = Enumerable.Range(0, 400).ToArray();
try
{
    var counts = AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
        .Start(context =>
        {
            var bar = context.AddTask($"Counting primes below {blocks.Length * Primes.BlockSize:N0}", maxValue: blocks.Length);
            return pool.Map(Primes.CountInBlock, blocks, chunkSize: 1,
                options: new JobOptions { JobId = JobId, Retries = 2, Progress = new BarProgress(bar) },
                cancellationToken: stop.Token);
        });
    AnsiConsole.MarkupLine($"[green]{counts.Sum():N0} primes.[/] Run again: the journal answers at once.");
    return 0;
}
catch (Exception ex) when (ex is OperationCanceledException or PoolTerminatedException) // Ctrl-C: our token, or Akka's own shutdown
{
    AnsiConsole.MarkupLine($"[yellow]Stopped.[/] What was done is in [bold]{journal}[/]: run again to resume.");
    return 1;
}

/// <summary>Moves a Spectre.Console bar with the job's progress reports.</summary>
internal sealed class BarProgress(ProgressTask bar) : IProgress<JobProgress>
{
    public void Report(JobProgress value)
    {
        bar.Value = value.Completed + value.Failed; // items restored from the journal count as completed
        if (value.Total is { } total)
            bar.MaxValue = total;
    }
}

internal static class Primes
{
    public const int BlockSize = 1_000;

    /// <summary>How many primes lie in block <paramref name="block"/> (by trial division: slow on purpose).</summary>
    public static int CountInBlock(int block)
    {
        var count = 0;
        for (var n = block * BlockSize; n < (block + 1) * BlockSize; n++)
        {
            if (IsPrime(n))
                count++;
        }
        Thread.Sleep(100); // stands for the real work of a long job: a download, a model, a query
        return count;
    }

    private static bool IsPrime(int n)
    {
        if (n < 2)
            return false;
        for (var d = 2; (long)d * d <= n; d++)
        {
            if (n % d == 0)
                return false;
        }
        return true;
    }
}
