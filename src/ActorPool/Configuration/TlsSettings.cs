using Akka.Configuration;

namespace ActorPool.Configuration;

/// <summary>How a TLS system's transport bounds its handshakes (<c>actorpool.tls</c> in reference.conf).</summary>
/// <param name="MaxInboundHandshakes">Inbound handshakes in progress at once, from all peers.</param>
/// <param name="MaxInboundHandshakesPerHost">Inbound handshakes in progress at once from one host.</param>
/// <param name="HandshakeTimeout">How long a peer has to complete a handshake, in either direction.</param>
internal sealed record TlsSettings(int MaxInboundHandshakes, int MaxInboundHandshakesPerHost, TimeSpan HandshakeTimeout)
{
    /// <summary>The section's path, as errors and refusals name it.</summary>
    public const string Path = "actorpool.tls";

    /// <summary>The settings of <paramref name="config"/>, a system's whole configuration.</summary>
    /// <exception cref="ConfigurationException">A value is out of its range; the message names it.</exception>
    public static TlsSettings Of(Config config)
    {
        var section = config.GetConfig(Path) ?? Config.Empty;
        var settings = new TlsSettings(
            Read(section, "max-inbound-handshakes", "a number", static (c, key) => c.GetInt(key, 0)),
            Read(section, "max-inbound-handshakes-per-host", "a number", static (c, key) => c.GetInt(key, 0)),
            Read(section, "handshake-timeout", "a duration", static (c, key) => c.GetTimeSpan(key, TimeSpan.Zero)));
        if (settings.MaxInboundHandshakes < 1)
            throw new ConfigurationException($"{Path}.max-inbound-handshakes must be at least 1, but is {settings.MaxInboundHandshakes}.");
        if (settings.MaxInboundHandshakesPerHost < 1)
            throw new ConfigurationException($"{Path}.max-inbound-handshakes-per-host must be at least 1, but is {settings.MaxInboundHandshakesPerHost}.");
        if (settings.HandshakeTimeout <= TimeSpan.Zero)
            throw new ConfigurationException($"{Path}.handshake-timeout must be positive, but is {settings.HandshakeTimeout}.");
        return settings;
    }

    /// <summary>The value of <paramref name="key"/>; a value the reader cannot parse is an error naming the key.</summary>
    private static T Read<T>(Config section, string key, string what, Func<Config, string, T> read)
    {
        try
        {
            return read(section, key);
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            // HOCON's readers throw what their parsers do (FormatException, OverflowException...) for a value that is not one.
            throw new ConfigurationException($"{Path}.{key} must be {what}, but is '{section.GetString(key, "")}' ({ex.Message}).", ex);
        }
    }
}
