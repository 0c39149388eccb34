using Microsoft.Extensions.Hosting;

namespace ActorPool.Hosting;

/// <summary>
/// Creates the host's pool when the host starts (so that bad options fail the start, and the first
/// request does not wait for the pool), unless it was injected earlier. Closes and joins the host's pool when the host stops, in the stopping step that comes before
/// any hosted service stops (Akka.Hosting's among them, whose coordinated shutdown would terminate
/// the pool): submitted work finishes, within the host's shutdown timeout.
/// </summary>
internal sealed class PoolLifetime(HostedPool pool) : IHostedLifecycleService
{
    public Task StoppingAsync(CancellationToken cancellationToken) => pool.CloseAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = pool.Pool;
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
