using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPool.Dashboard;

/// <summary>
/// A live dashboard of one pool, served from this process (see
/// <see cref="PoolDashboardExtensions.StartDashboardAsync"/>). Dispose it to stop serving; the
/// pool is not affected. It outlives the pool if need be, showing the pool's last state.
/// </summary>
public sealed class PoolDashboard : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IDisposable _watch;
    private int _disposed;

    private PoolDashboard(WebApplication app, IDisposable watch, Uri url)
    {
        _app = app;
        _watch = watch;
        Url = url;
    }

    /// <summary>The address the dashboard listens on, with the port bound (the one picked when port 0 was asked for).</summary>
    public Uri Url { get; }

    internal static async Task<PoolDashboard> StartAsync(Pool pool, Uri url, CancellationToken cancellationToken)
    {
        // An empty builder: nothing of the application's configuration (its appsettings.json, its
        // ASPNETCORE_ variables: Kestrel endpoints, allowed hosts) reaches the dashboard, which
        // listens where it is told and nowhere else, and logs nothing (errors reach the caller).
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseUrls(url.GetLeftPart(UriPartial.Authority));
        var app = builder.Build();
        var feed = new DashboardFeed(pool);
        DashboardEndpoints.Map(app, feed, url);
        // Watched before the first request, so that the first status already lists the workers' work.
        var watch = pool.Telemetry.Board.Watch();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            watch.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException)
                throw;
            throw new IOException($"The dashboard could not listen on {url}: {ex.Message}", ex);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? url.ToString();
        return new PoolDashboard(app, watch, new Uri(bound));
    }

    /// <summary>Stops serving: open pages see the connection end. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _watch.Dispose();
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
