// A pool with its live dashboard: open the address it prints in a browser, and watch jobs run:
// progress bars, the task stream (one lane per worker), throughput and failures. Ends on Enter.
//
//   dotnet run --project samples/Dashboard [url]   (default: http://127.0.0.1:8787; port 0 picks a free one)
using ActorPool;
using ActorPool.Dashboard;

await using var pool = new Pool(new PoolOptions { Name = "dashboard-sample" });
await using var dashboard = await pool.StartDashboardAsync(args.FirstOrDefault() ?? "http://127.0.0.1:8787");
Console.WriteLine($"Dashboard at {dashboard.Url} (Enter stops)");

using var stop = new CancellationTokenSource();
var jobs = Task.Run(async () =>
{
    var round = 0;
    while (!stop.IsCancellationRequested)
    {
        round++;
        // A Map of uneven tasks, an IMap over a lazy input, and a job with a few failures.
        await pool.MapAsync(Work.Uneven, Enumerable.Range(0, 400), chunkSize: 4);
        foreach (var _ in pool.IMapUnordered(Work.Uneven, Work.Lazy(200)))
        {
        }
        try
        {
            await pool.MapAsync(Work.SometimesFails, Enumerable.Range(round * 100, 100), chunkSize: 5);
        }
        catch (InvalidOperationException ex)
        {
            Console.WriteLine($"Round {round}: {ex.Message}");
        }
    }
});

Console.ReadLine();
stop.Cancel();
await jobs;

internal static class Work
{
    /// <summary>Some milliseconds of work, more for some items than others.</summary>
    public static int Uneven(int x)
    {
        Thread.Sleep(5 + x % 7 * 4);
        return x * x;
    }

    public static int SometimesFails(int x) =>
        x % 37 == 0 ? throw new InvalidOperationException($"item {x} is a multiple of 37") : Uneven(x);

    /// <summary>An input read as the pool needs it, whose length is not known in advance.</summary>
    public static IEnumerable<int> Lazy(int count)
    {
        for (var i = 0; i < count; i++)
            yield return i;
    }
}
