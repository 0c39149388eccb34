using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorPool.Hosting.Tests;

public sealed class DistributedLoggingTests
{
    [Fact]
    public async Task HostedLocalProcessesPool_WorkerProcessOutput_GoesThroughTheHostsLogger()
    {
        var logs = new CapturingLoggerProvider();
        var builder = TestHost.Builder(logs);
        builder.Services.AddActorPool(_ => new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = 1 });
        using var host = builder.Build();
        await host.StartAsync();
        var pool = host.Services.GetRequiredService<Pool>();

        Assert.Equal(7, pool.Apply(Shout, 7));

        // Printed by the worker process, read by the pool's own system, logged to the host's ILogger.
        var line = await logs.WaitForAsync(entry => entry.Message.Contains("shouted 7"));
        Assert.Equal("ActorPool.Deployment.LocalNodes", line.Category);
        Assert.Equal(LogLevel.Warning, line.Level);
        await host.StopAsync();
    }

    private static int Shout(int x)
    {
        Console.Error.WriteLine($"shouted {x}");
        return x;
    }
}
