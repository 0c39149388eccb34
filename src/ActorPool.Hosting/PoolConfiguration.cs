using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ActorPool.Hosting;

/// <summary>
/// Reads <see cref="PoolOptions"/> from a configuration section (<c>ActorPool</c> in
/// <c>appsettings.json</c>), by hand rather than with the binder: enums by name, case-insensitive;
/// <c>SeedNodes</c> as an array of <c>host:port</c> (or one string, comma-separated); and an error
/// that names the key (<c>ActorPool:Routing</c>) for a value that cannot be read or a key that is
/// not an option. Ranges are checked by <see cref="Pool"/>, naming the option.
/// </summary>
internal static class PoolConfiguration
{
    /// <summary>The section <c>AddActorPool</c> reads when it is given no options.</summary>
    public const string SectionName = "ActorPool";

    private static readonly string[] Keys =
    [
        nameof(PoolOptions.Name), nameof(PoolOptions.Processes), nameof(PoolOptions.Routing), nameof(PoolOptions.MaxTasksPerChild),
        nameof(PoolOptions.Deployment), nameof(PoolOptions.SeedNodes), nameof(PoolOptions.Hostname), nameof(PoolOptions.Port),
        nameof(PoolOptions.WorkerRole), nameof(PoolOptions.MaxWorkerLosses), nameof(PoolOptions.NoWorkerTimeout),
        nameof(PoolOptions.NodeHostPath), nameof(PoolOptions.JournalPath),
    ];

    /// <exception cref="InvalidOperationException">A value cannot be read, or a key is not an option; the message names the key.</exception>
    public static PoolOptions Read(IConfigurationSection section)
    {
        foreach (var child in section.GetChildren())
        {
            if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                throw Error(child.Path, $"is not an ActorPool option; the options are {string.Join(", ", Keys)}.");
        }
        var defaults = new PoolOptions();
        return new PoolOptions
        {
            Name = section[nameof(PoolOptions.Name)] ?? defaults.Name,
            Processes = Int(section, nameof(PoolOptions.Processes)) ?? defaults.Processes,
            Routing = Enum<PoolRouting>(section, nameof(PoolOptions.Routing)) ?? defaults.Routing,
            MaxTasksPerChild = Int(section, nameof(PoolOptions.MaxTasksPerChild)) ?? defaults.MaxTasksPerChild,
            Deployment = Enum<PoolDeployment>(section, nameof(PoolOptions.Deployment)) ?? defaults.Deployment,
            SeedNodes = SeedNodes(section.GetSection(nameof(PoolOptions.SeedNodes))) ?? defaults.SeedNodes,
            Hostname = section[nameof(PoolOptions.Hostname)] ?? defaults.Hostname,
            Port = Int(section, nameof(PoolOptions.Port)) ?? defaults.Port,
            WorkerRole = section[nameof(PoolOptions.WorkerRole)] ?? defaults.WorkerRole,
            MaxWorkerLosses = Int(section, nameof(PoolOptions.MaxWorkerLosses)) ?? defaults.MaxWorkerLosses,
            NoWorkerTimeout = Duration(section, nameof(PoolOptions.NoWorkerTimeout)) ?? defaults.NoWorkerTimeout,
            NodeHostPath = section[nameof(PoolOptions.NodeHostPath)] ?? defaults.NodeHostPath,
            JournalPath = section[nameof(PoolOptions.JournalPath)] ?? defaults.JournalPath,
        };
    }

    private static int? Int(IConfigurationSection section, string key) =>
        Value(section, key) is not { } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw Error(Path(section, key), $"'{text}' is not a whole number.");

    // A bare number is refused: TimeSpan reads "60" as sixty days, which nobody writing it means.
    private static TimeSpan? Duration(IConfigurationSection section, string key) =>
        Value(section, key) is not { } text ? null
        : !text.Trim().All(char.IsAsciiDigit) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
        : throw Error(Path(section, key), $"'{text}' is not a duration such as 00:01:30 (a bare number would be read as days).");

    private static T? Enum<T>(IConfigurationSection section, string key)
        where T : struct, Enum
    {
        if (Value(section, key) is not { } text)
            return null;
        // By name only: Enum.TryParse would also take "7", which names no member.
        var name = System.Enum.GetNames<T>().FirstOrDefault(name => string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase));
        return name is null
            ? throw Error(Path(section, key), $"'{text}' is not one of {string.Join(", ", System.Enum.GetNames<T>())}.")
            : System.Enum.Parse<T>(name);
    }

    private static string[]? SeedNodes(IConfigurationSection section)
    {
        var items = section.GetChildren().Select(child => child.Value).OfType<string>().ToArray();
        if (items.Length > 0)
            return items;
        return section.Value is { Length: > 0 } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
    }

    /// <summary>The value at <paramref name="key"/>; null when absent or empty (the default applies).</summary>
    private static string? Value(IConfigurationSection section, string key) => section[key] is { Length: > 0 } text ? text : null;

    private static string Path(IConfigurationSection section, string key) => ConfigurationPath.Combine(section.Path, key);

    private static InvalidOperationException Error(string path, string what) => new($"Configuration {path}: {what}");
}
