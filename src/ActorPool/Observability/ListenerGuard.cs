using System.Diagnostics;

namespace ActorPool.Observability;

/// <summary>
/// Starts and stops the pool's activities so that an <see cref="ActivityListener"/> that throws
/// cannot touch a job. A listener's callbacks (<c>Sample</c>, <c>ActivityStarted</c>,
/// <c>ActivityStopped</c>) are the application's code, run in line by
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> and <see cref="Activity.Stop"/>:
/// one that threw there failed every task of a chunk that had succeeded, and threw in a job's end
/// before its result was set, so its caller and the pool's <c>Dispose</c> waited for ever.
/// </summary>
/// <remarks>
/// What a listener throws is dropped: it is the listener's failure, not the job's, and the
/// listener may see the activity's start or stop in part (the listeners after it in order do not).
/// OpenTelemetry's SDK never lets its processors' exceptions out.
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

    /// <summary>Stops <paramref name="activity"/> (if any), whatever a listener throws.</summary>
    public static void Stop(Activity? activity)
    {
        try
        {
            activity?.Stop();
        }
        catch (Exception)
        {
            // The listener's failure: the activity has stopped all the same.
        }
    }
}
