using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ActorPool.Node;

/// <summary>
/// Where a node's logs go: standard error, one entry a line (exceptions included), without colours,
/// warnings and above. Standard output is left for the ready line. A <c>LocalProcesses</c> pool
/// reads these lines and logs each through its own logger at the level the line names
/// (<c>ActorPool.Deployment.NodeLogLine</c>); a node run by hand shows them on the terminal.
/// </summary>
internal static class NodeLogging
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        logging.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
