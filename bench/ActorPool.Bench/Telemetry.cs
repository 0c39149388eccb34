using System.Diagnostics;
using System.Diagnostics.Metrics;
using ActorPool;
using ActorPool.Dashboard;

/// <summary>
/// What metrics, traces and the dashboard cost: the same Map with nobody listening; with a meter
/// listener taking every measurement of the <c>ActorPool</c> meter and an activity listener
/// recording every job and chunk activity; and with a dashboard open and a client reading its
/// event stream, as an open page does. Each is attached for its run only, and not timed (only
/// the Map is), side by side in the same rounds, on the same pool.
/// </summary>
internal static class Telemetry
{
    public static void Run(int workers)
    {
        var trivialInput = Enumerable.Range(0, 1_000_000).ToArray();
        var cpuInput = Enumerable.Range(0, 400).ToArray();
        Rounds trivial, cpu;
        using (var pool = new Pool(workers))
        {
            trivial = Rounds.RunMeasured(9, TimeSpan.FromSeconds(2),
                () => Rounds.Time(() => pool.Map(Jobs.Trivial, trivialInput)),
                () => Listened(() => pool.Map(Jobs.Trivial, trivialInput)),
                () => Watched(pool, () => pool.Map(Jobs.Trivial, trivialInput)));
            cpu = Rounds.RunMeasured(5, TimeSpan.FromSeconds(2),
                () => Rounds.Time(() => pool.Map(Jobs.Cpu, cpuInput)),
                () => Listened(() => pool.Map(Jobs.Cpu, cpuInput)),
                () => Watched(pool, () => pool.Map(Jobs.Cpu, cpuInput)));
        }
        const int Quiet = 0, Listening = 1, DashboardOpen = 2;
        Console.WriteLine();
        Console.WriteLine("| job | quiet | costly | costly over quiet | target |");
        Console.WriteLine("|---|---|---|---|---|");
        trivial.CostRow("trivial Map, 1M ints, default chunks: metrics and traces listened to", Quiet, Listening, "<= 1.10x");
        cpu.CostRow("CPU-bound Map, 400 items: metrics and traces listened to", Quiet, Listening, "<= 1.03x");
        trivial.CostRow("trivial Map, 1M ints, default chunks: a dashboard open", Quiet, DashboardOpen, "<= 1.10x");
        cpu.CostRow("CPU-bound Map, 400 items: a dashboard open", Quiet, DashboardOpen, "<= 1.03x");
    }

    /// <summary>Runs <paramref name="job"/> with a dashboard of <paramref name="pool"/> open and a client reading its events; returns the seconds the job took.</summary>
    private static double Watched(Pool pool, Action job)
    {
        var dashboard = pool.StartDashboardAsync("http://127.0.0.1:0").GetAwaiter().GetResult();
        using var http = new HttpClient { BaseAddress = dashboard.Url };
        using var events = http.GetStreamAsync("api/events").GetAwaiter().GetResult();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (await events.ReadAsync(buffer, stop.Token) > 0)
                {
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        try
        {
            return Rounds.Time(job);
        }
        finally
        {
            stop.Cancel();
            reader.GetAwaiter().GetResult();
            dashboard.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static long s_measurements;

    /// <summary>Runs <paramref name="job"/> with a listener on every instrument and activity of the pool's; returns the seconds the job took.</summary>
    private static double Listened(Action job)
    {
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "ActorPool")
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref s_measurements, value));
        meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref s_measurements));
        meters.Start();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ActorPool",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => Interlocked.Increment(ref s_measurements),
        };
        ActivitySource.AddActivityListener(activities);
        var seconds = Rounds.Time(job);
        meters.RecordObservableInstruments();
        return seconds;
    }
}
