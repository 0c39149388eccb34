using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorPool.Deployment;
using Microsoft.Extensions.Configuration;

namespace ActorPool.Hosting;

/// <summary>
/// Reads <see cref="PoolOptions"/> from a configuration section (<c>ActorPool</c> in
/// <c>appsettings.json</c>), by hand rather than with the binder: enums by name, case-insensitive;
/// <c>SeedNodes</c> and <c>TrustedThumbprints</c> as an array (or one string, comma-separated);
/// <c>Certificate</c> as Kestrel reads <c>Certificates:Default</c>: a PKCS#12 file's <c>Path</c>
/// (relative to the content root) and its <c>Password</c>; and an error that names the key
/// (<c>ActorPool:Routing</c>) for a value that cannot be read or a key that is not an option.
/// Ranges are checked by <see cref="Pool"/>, naming the option.
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
        nameof(PoolOptions.Certificate), nameof(PoolOptions.TrustedThumbprints), nameof(PoolOptions.AllowInsecure),
    ];

    /// <summary>The keys of <c>Certificate</c>, as those of Kestrel's <c>Certificates:Default</c>.</summary>
    private static readonly string[] CertificateKeys = [CertificatePath, CertificatePassword];

    private const string CertificatePath = "Path";
    private const string CertificatePassword = "Password";

    /// <summary>
    /// The options of <paramref name="section"/>. A relative <c>Certificate:Path</c> is read from
    /// <paramref name="contentRoot"/> (default: the current directory); without a
    /// <c>Certificate:Password</c>, the password comes from <paramref name="environment"/>'s
    /// <see cref="PoolCertificate.PasswordVariable"/>, as node hosts take it (default: the process's environment).
    /// </summary>
    /// <exception cref="InvalidOperationException">A value cannot be read, or a key is not an option; the message names the key.</exception>
    public static PoolOptions Read(IConfigurationSection section, string? contentRoot = null, Func<string, string?>? environment = null)
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
            SeedNodes = List(section.GetSection(nameof(PoolOptions.SeedNodes))) ?? defaults.SeedNodes,
            Hostname = section[nameof(PoolOptions.Hostname)] ?? defaults.Hostname,
            Port = Int(section, nameof(PoolOptions.Port)) ?? defaults.Port,
            WorkerRole = section[nameof(PoolOptions.WorkerRole)] ?? defaults.WorkerRole,
            MaxWorkerLosses = Int(section, nameof(PoolOptions.MaxWorkerLosses)) ?? defaults.MaxWorkerLosses,
            NoWorkerTimeout = Duration(section, nameof(PoolOptions.NoWorkerTimeout)) ?? defaults.NoWorkerTimeout,
            NodeHostPath = section[nameof(PoolOptions.NodeHostPath)] ?? defaults.NodeHostPath,
            JournalPath = section[nameof(PoolOptions.JournalPath)] ?? defaults.JournalPath,
            Certificate = Certificate(section.GetSection(nameof(PoolOptions.Certificate)), contentRoot, environment ?? Environment.GetEnvironmentVariable),
            TrustedThumbprints = List(section.GetSection(nameof(PoolOptions.TrustedThumbprints))) ?? defaults.TrustedThumbprints,
            AllowInsecure = Bool(section, nameof(PoolOptions.AllowInsecure)) ?? defaults.AllowInsecure,
        };
    }

    /// <summary>The certificate <c>Path</c> names, opened with <c>Password</c> or else the environment's; null without a <c>Path</c>.</summary>
    private static X509Certificate2? Certificate(IConfigurationSection section, string? contentRoot, Func<string, string?> environment)
    {
        if (section.Value is { Length: > 0 })
            throw Error(section.Path, $"give the PKCS#12 file as {ConfigurationPath.Combine(section.Path, CertificatePath)} (and its password as {CertificatePassword}), as Kestrel's Certificates:Default.");
        foreach (var child in section.GetChildren())
        {
            if (!CertificateKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                throw Error(child.Path, $"is not a Certificate setting; the settings are {string.Join(", ", CertificateKeys)}.");
        }
        var pathKey = Path(section, CertificatePath);
        if (Value(section, CertificatePath) is not { } path)
        {
            return section[CertificatePassword] is null ? null
                : throw Error(pathKey, $"is missing: {Path(section, CertificatePassword)} is set, but no file to open with it.");
        }
        byte[] pkcs12;
        try
        {
            pkcs12 = File.ReadAllBytes(System.IO.Path.Combine(contentRoot ?? Directory.GetCurrentDirectory(), path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw Error(pathKey, $"'{path}' cannot be read: {ex.Message}");
        }
        var password = section[CertificatePassword] ?? environment(PoolCertificate.PasswordVariable);
        try
        {
            return PoolCertificate.Load(pkcs12, password);
        }
        catch (CryptographicException ex)
        {
            throw Error(pathKey, $"'{path}' is not a PKCS#12 file that opens with the password of {Path(section, CertificatePassword)} "
                + $"(or, without it, of {PoolCertificate.PasswordVariable}, if set): {ex.Message}");
        }
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

    private static bool? Bool(IConfigurationSection section, string key) =>
        Value(section, key) is not { } text ? null
        : bool.TryParse(text.Trim(), out var value) ? value
        : throw Error(Path(section, key), $"'{text}' is not true or false.");

    /// <summary>An array, or one string of values separated by commas.</summary>
    private static string[]? List(IConfigurationSection section)
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
