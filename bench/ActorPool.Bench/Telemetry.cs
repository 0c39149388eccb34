using System.Diagnostics;
using System.Diagnostics.Metrics;
using ActorPool;

/// <summary>
/// What metrics and traces cost: the same Map with nobody listening, and with a meter listener
/// taking every measurement of the <c>ActorPool</c> meter and an activity listener recording every
/// job and chunk activity (attached for that run only, and not timed: only the Map is), side by
/// side in the same rounds, on the same pool.
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
                () => Listened(() => pool.Map(Jobs.Trivial, trivialInput)));
            cpu = Rounds.RunMeasured(5, TimeSpan.FromSeconds(2),
                () => Rounds.Time(() => pool.Map(Jobs.Cpu, cpuInput)),
                () => Listened(() => pool.Map(Jobs.Cpu, cpuInput)));
        }
        const int Quiet = 0, Listening = 1;
        Console.WriteLine();
        Console.WriteLine("| job | nobody listening | metrics and traces listened to | listened over quiet | target |");
        Console.WriteLine("|---|---|---|---|---|");
        trivial.CostRow("trivial Map, 1M ints, default chunks", Quiet, Listening, "<= 1.10x");
        cpu.CostRow("CPU-bound Map, 400 items", Quiet, Listening, "<= 1.03x");
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
