using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorPool.Dashboard;

/// <summary>The dashboard's three addresses: the page, the status, and the stream of changes.</summary>
internal static class DashboardEndpoints
{
    /// <summary>How often an event stream looks for changes; it sends only what changed.</summary>
    public static readonly TimeSpan EventInterval = TimeSpan.FromMilliseconds(250);

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private static readonly Lazy<byte[]> s_page = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("ActorPool.Dashboard.index.html")
            ?? throw new InvalidOperationException("The dashboard's page is missing from its assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The names a dashboard on a loopback address answers to.</summary>
    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]"];

    public static void Map(WebApplication app, DashboardFeed feed, Uri url)
    {
        if (url.IsLoopback)
        {
            // A page of any site the browser has open can make its own name resolve to 127.0.0.1
            // (DNS rebinding) and read a dashboard on loopback, failures' texts included; its
            // requests carry that name in Host, and are refused.
            app.Use((context, next) =>
            {
                if (LoopbackNames.Contains(context.Request.Host.Host, StringComparer.OrdinalIgnoreCase))
                    return next(context);
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Task.CompletedTask;
            });
        }
        app.MapGet("/", () => Results.Bytes(s_page.Value, "text/html; charset=utf-8"));
        app.MapGet("/api/status", () => Results.Json(feed.Status(), s_json));
        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        app.MapGet("/api/events", (HttpContext context) => StreamAsync(context, feed, stopping));
    }

    /// <summary>
    /// Server-sent events: <c>status</c> (as <c>/api/status</c>) whenever it changes, <c>tasks</c>
    /// with the stretches of work ended since the last, and <c>alerts</c> with what went wrong; a
    /// new stream first gets the status and everything still kept. It ends when the client leaves
    /// or the dashboard stops.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, DashboardFeed feed, CancellationToken stopping)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        long tasks = 0, alerts = 0;
        string? lastStatus = null;
        try
        {
            while (!done.IsCancellationRequested)
            {
                var status = JsonSerializer.Serialize(feed.Status(), s_json);
                if (status != lastStatus)
                {
                    await SendAsync(response, "status", status, done.Token).ConfigureAwait(false);
                    lastStatus = status;
                }
                if (feed.TasksSince(ref tasks) is { Count: > 0 } stretches)
                    await SendAsync(response, "tasks", JsonSerializer.Serialize(stretches, s_json), done.Token).ConfigureAwait(false);
                if (feed.AlertsSince(ref alerts) is { Count: > 0 } raised)
                    await SendAsync(response, "alerts", JsonSerializer.Serialize(raised, s_json), done.Token).ConfigureAwait(false);
                await response.Body.FlushAsync(done.Token).ConfigureAwait(false);
                await Task.Delay(EventInterval, done.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
            // the client left, or the dashboard stops
        }
    }

    private static Task SendAsync(HttpResponse response, string name, string json, CancellationToken cancellationToken) =>
        response.WriteAsync($"event: {name}\ndata: {json}\n\n", Encoding.UTF8, cancellationToken);
}
