using Akka.Configuration;

namespace ActorPool.Configuration;

/// <summary>When a straggling chunk of a speculative job is started again (<c>actorpool.speculation</c> in reference.conf).</summary>
/// <param name="SlowerThanMedian">How many times the job's median time for its items a chunk must have run.</param>
/// <param name="MinRunning">The least a chunk must have run, whatever the median.</param>
/// <param name="CheckInterval">How often the router looks for stragglers while it may have some.</param>
internal sealed record SpeculationSettings(double SlowerThanMedian, TimeSpan MinRunning, TimeSpan CheckInterval)
{
    public static SpeculationSettings Of(Config section)
    {
        var settings = new SpeculationSettings(
            section.GetDouble("slower-than-median", 0),
            section.GetTimeSpan("min-running", TimeSpan.Zero),
            section.GetTimeSpan("check-interval", TimeSpan.Zero));
        if (settings.SlowerThanMedian < 1)
            throw new ConfigurationException($"actorpool.speculation.slower-than-median must be at least 1, but is {settings.SlowerThanMedian}.");
        if (settings.MinRunning < TimeSpan.Zero || settings.CheckInterval <= TimeSpan.Zero)
            throw new ConfigurationException("actorpool.speculation.min-running must not be negative, and check-interval must be positive.");
        return settings;
    }
}
