using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorPool.Hosting.Tests;

/// <summary>A Generic Host for a test: in-memory configuration, logs kept by a <see cref="CapturingLoggerProvider"/>.</summary>
internal static class TestHost
{
    public static HostApplicationBuilder Builder(CapturingLoggerProvider? logs = null, IDictionary<string, string?>? configuration = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        if (logs is not null)
            builder.Logging.AddProvider(logs);
        return builder;
    }
}
