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
        TlsSettings settings;
        try
        {
            settings = new TlsSettings(
                section.GetInt("max-inbound-handshakes", 0),
                section.GetInt("max-inbound-handshakes-per-host", 0),
                section.GetTimeSpan("handshake-timeout", TimeSpan.Zero));
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            // HOCON's readers throw what their parsers do (FormatException, OverflowException...) for a value that is not a number.
            throw new ConfigurationException($"{Path}: a setting is not a number or a duration ({ex.Message}).", ex);
        }
        if (settings.MaxInboundHandshakes < 1)
            throw new ConfigurationException($"{Path}.max-inbound-handshakes must be at least 1, but is {settings.MaxInboundHandshakes}.");
        if (settings.MaxInboundHandshakesPerHost < 1)
            throw new ConfigurationException($"{Path}.max-inbound-handshakes-per-host must be at least 1, but is {settings.MaxInboundHandshakesPerHost}.");
        if (settings.HandshakeTimeout <= TimeSpan.Zero)
            throw new ConfigurationException($"{Path}.handshake-timeout must be positive, but is {settings.HandshakeTimeout}.");
        return settings;
    }
}
