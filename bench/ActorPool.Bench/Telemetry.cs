using System.Diagnostics;
using System.Diagnostics.Metrics;
using ActorPool;
using ActorPool.Dashboard;

/// <summary>
/// What metrics, traces and the dashboard cost: the same Map with nobody listening; with a meter
/// listener taking every measurement of the <c>ActorPool</c> meter and an activity listener
/// recording every job and chunk activity (attached for that run only, and not timed: only the
/// Map is); and on a second pool of the same options whose dashboard is open the whole time, with a
/// client reading its event stream as an open page does. Side by side in the same rounds.
/// </summary>
internal static class Telemetry
{
    public static void Run(int workers)
    {
        var steal = CpuSteal.Now();
        var trivialInput = Enumerable.Range(0, 1_000_000).ToArray();
        var cpuInput = Enumerable.Range(0, 400).ToArray();
        Rounds trivial, cpu;
        using (var pool = new Pool(workers))
        using (var watched = new Pool(workers))
        using (var page = OpenPage(watched))
        {
            trivial = Rounds.RunMeasured(25, TimeSpan.FromSeconds(2), // a Map of a few ms: many rounds, for a median that noise does not decide
                () => Rounds.Time(() => pool.Map(Jobs.Trivial, trivialInput)),
                () => Listened(() => pool.Map(Jobs.Trivial, trivialInput)),
                () => Rounds.Time(() => watched.Map(Jobs.Trivial, trivialInput)));
            cpu = Rounds.RunMeasured(5, TimeSpan.FromSeconds(2),
                () => Rounds.Time(() => pool.Map(Jobs.Cpu, cpuInput)),
                () => Listened(() => pool.Map(Jobs.Cpu, cpuInput)),
                () => Rounds.Time(() => watched.Map(Jobs.Cpu, cpuInput)));
        }
        const int Quiet = 0, Listening = 1, DashboardOpen = 2;
        Console.WriteLine();
        Console.WriteLine("| job | quiet | costly | costly over quiet | target |");
        Console.WriteLine("|---|---|---|---|---|");
        trivial.CostRow("trivial Map, 1M ints, default chunks: metrics and traces listened to", Quiet, Listening, "<= 1.10x");
        cpu.CostRow("CPU-bound Map, 400 items: metrics and traces listened to", Quiet, Listening, "<= 1.03x");
        trivial.CostRow("trivial Map, 1M ints, default chunks: a dashboard open", Quiet, DashboardOpen, "<= 1.10x");
        cpu.CostRow("CPU-bound Map, 400 items: a dashboard open", Quiet, DashboardOpen, "<= 1.03x");
        CpuSteal.Report(steal);
    }

    /// <summary>A dashboard of <paramref name="pool"/>, and a client reading its event stream until disposed.</summary>
    private static IDisposable OpenPage(Pool pool)
    {
        var dashboard = pool.StartDashboardAsync("http://127.0.0.1:0").GetAwaiter().GetResult();
        var http = new HttpClient { BaseAddress = dashboard.Url };
        var events = http.GetStreamAsync("api/events").GetAwaiter().GetResult();
        var stop = new CancellationTokenSource();
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
        return new Page(() =>
        {
            stop.Cancel();
            reader.GetAwaiter().GetResult();
            events.Dispose();
            http.Dispose();
            dashboard.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
    }

    private sealed class Page(Action close) : IDisposable
    {
        public void Dispose() => close();
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
