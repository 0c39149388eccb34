using Akka.Event;

namespace ActorPool.Deployment;

/// <summary>
/// A line a worker process wrote on standard error, as its driver logs it. The node host writes
/// its log entries there one a line, in the simple console format of Microsoft.Extensions.Logging
/// (<c>warn: ActorPool.Remote.NodeActor[0] message</c>): the driver logs each at its level, without
/// the level's prefix. Any other line (the node host's own messages, what a task printed) is a warning.
/// </summary>
internal static class NodeLogLine
{
    private static readonly (string Prefix, LogLevel Level)[] Prefixes =
    [
        ("trce: ", LogLevel.DebugLevel), ("dbug: ", LogLevel.DebugLevel), ("info: ", LogLevel.InfoLevel),
        ("warn: ", LogLevel.WarningLevel), ("fail: ", LogLevel.ErrorLevel), ("crit: ", LogLevel.ErrorLevel),
    ];

    /// <summary>The level to log <paramref name="line"/> at, and its text without the level's prefix.</summary>
    public static (LogLevel Level, string Text) Parse(string line)
    {
        foreach (var (prefix, level) in Prefixes)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
                return (level, line[prefix.Length..]);
        }
        return (LogLevel.WarningLevel, line);
    }
}
