using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ActorPool.Observability;

/// <summary>
/// Starts and stops the pool's activities, and records its measurements, so that a listener that
/// throws cannot touch a job. An <see cref="ActivityListener"/>'s callbacks (<c>Sample</c>,
/// <c>ActivityStarted</c>, <c>ActivityStopped</c>) and a <see cref="MeterListener"/>'s measurement
/// callbacks are the application's code, run in line by
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>, <see cref="Activity.Stop"/>,
/// <see cref="Counter{T}.Add(T, KeyValuePair{string, object?})"/> and
/// <see cref="Histogram{T}.Record(T, KeyValuePair{string, object?})"/>: one that threw there failed
/// every task of a chunk that had succeeded, or threw in a job's coordinator or end before its
/// result was set, so its caller and the pool's <c>Dispose</c> waited for ever.
/// </summary>
/// <remarks>
/// What a listener throws is dropped: it is the listener's failure, not the job's, and the
/// listener may see the activity or measurement in part (the listeners after it in order do not).
/// OpenTelemetry's SDK never lets its own exceptions out.
/// </remarks>
internal static class ListenerGuard
{
    /// <summary>
    /// What <paramref name="start"/> starts, or null if a listener threw. The started activity
    /// becomes the current one if <paramref name="current"/>; otherwise, and whenever a listener
    /// threw, the caller's current activity is left as it was.
    /// </summary>
    public static Activity? Start(Func<Activity?> start, bool current)
    {
        var before = Activity.Current;
        try
        {
            var activity = start();
            if (!current)
                Activity.Current = before;
            return activity;
        }
        catch (Exception)
        {
            Activity.Current = before;
            return null; // the activity, if it was made, is not used: nothing stops it, nothing exports it
        }
    }

    /// <summary>Adds <paramref name="value"/> to <paramref name="counter"/>, whatever a listener throws.</summary>
    public static void Add(Counter<long> counter, long value, KeyValuePair<string, object?> tag)
    {
        try
        {
            counter.Add(value, tag);
        }
        catch (Exception)
        {
            // The listener's failure.
        }
    }

    /// <summary>Adds <paramref name="value"/> to <paramref name="counter"/> with two tags, whatever a listener throws.</summary>
    public static void Add(Counter<long> counter, long value, KeyValuePair<string, object?> tag1, KeyValuePair<string, object?> tag2)
    {
        try
        {
            counter.Add(value, tag1, tag2);
        }
        catch (Exception)
        {
            // The listener's failure.
        }
    }

    /// <summary>Records <paramref name="value"/> in <paramref name="histogram"/>, whatever a listener throws.</summary>
    public static void Record(Histogram<double> histogram, double value, KeyValuePair<string, object?> tag)
    {
        try
        {
            histogram.Record(value, tag);
        }
        catch (Exception)
        {
            // The listener's failure.
        }
    }

    /// <summary>Stops <paramref name="activity"/> (if any), whatever a listener throws.</summary>
    public static void Stop(Activity? activity)
    {
        try
        {
            activity?.Stop();
        }
        catch (Exception)
        {
            // The listener's failure: the activity has stopped all the same, but Stop throws before
            // it gives the thread back its parent as the current activity (a worker's thread would
            // run its next chunks under this one), so that is done here.
            if (activity is not null && Activity.Current == activity)
                Activity.Current = activity.Parent;
        }
    }
}
