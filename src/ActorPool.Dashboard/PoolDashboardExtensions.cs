namespace ActorPool.Dashboard;

/// <summary>Starts a live dashboard for a <see cref="Pool"/>.</summary>
public static class PoolDashboardExtensions
{
    /// <summary>
    /// Serves a live view of <paramref name="pool"/> at <paramref name="url"/> from this process:
    /// <c>GET /</c> is the page (every asset embedded: it needs no internet), <c>GET /api/status</c>
    /// the pool's jobs and workers as JSON, and <c>GET /api/events</c> their changes as server-sent
    /// events. While a dashboard is open the pool keeps what its workers do (each chunk's start and
    /// end); it stops when the last dashboard is disposed. A dashboard outlives its pool if it is
    /// not disposed first: it goes on serving the pool's last state (<c>closing</c> or
    /// <c>terminated</c>) until it is disposed.
    /// </summary>
    /// <param name="pool">The pool to show.</param>
    /// <param name="url">Where to listen, <c>http://host:port</c>. Default: <c>http://127.0.0.1:8787</c>, the loopback
    /// address only (Dask's dashboard port). Port 0 picks a free port: <see cref="PoolDashboard.Url"/> tells the one bound.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running dashboard; dispose it to stop it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> or <paramref name="url"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not an absolute <c>http</c> URL with a host and port and no path.</exception>
    /// <exception cref="IOException">The address is in use, or cannot be bound.</exception>
    public static Task<PoolDashboard> StartDashboardAsync(this Pool pool, string url = "http://127.0.0.1:8787", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(url);
        return PoolDashboard.StartAsync(pool, DashboardAddress.Parse(url, nameof(url)), cancellationToken);
    }
}
