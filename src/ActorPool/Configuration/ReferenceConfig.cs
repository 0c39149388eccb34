using Akka.Configuration;

namespace ActorPool.Configuration;

/// <summary>Loads the embedded <c>reference.conf</c>.</summary>
internal static class ReferenceConfig
{
    private static readonly Lazy<Config> Instance = new(Load);

    public static Config Get() => Instance.Value;

    private static Config Load()
    {
        using var stream = typeof(ReferenceConfig).Assembly.GetManifestResourceStream("ActorPool.reference.conf")
            ?? throw new InvalidOperationException("The embedded resource ActorPool.reference.conf is missing.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
