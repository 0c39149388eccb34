using System.Net.Http.Json;
using System.Text.Json;

namespace ActorPool.Dashboard.Tests;

/// <summary>Reads a dashboard as a page does: its status, and its event stream, waiting on events rather than on time.</summary>
internal sealed class DashboardClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private StreamReader? _events;

    public DashboardClient(PoolDashboard dashboard) => _http = new HttpClient { BaseAddress = dashboard.Url, Timeout = Gate.Limit };

    public async Task<JsonElement> StatusAsync() => await _http.GetFromJsonAsync<JsonElement>("api/status");

    /// <summary>The next event of the stream (opened on first use): its name and data.</summary>
    public async Task<(string Name, JsonElement Data)> NextEventAsync()
    {
        _events ??= new StreamReader(await _http.GetStreamAsync("api/events"));
        string? name = null;
        while (true)
        {
            var line = await _events.ReadLineAsync().WaitAsync(Gate.Limit) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
                name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
                return (name ?? throw new InvalidDataException("Data without an event name."), JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone());
        }
    }

    /// <summary>
    /// Reads the stream until a status satisfies <paramref name="condition"/>, and returns that
    /// status; throws if none does within <see cref="Gate.Limit"/> (a status comes at every tick,
    /// its clock having moved, so a condition never met would otherwise be waited on for ever).
    /// </summary>
    public async Task<JsonElement> StatusWhereAsync(Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + Gate.Limit;
        JsonElement? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var (name, data) = await NextEventAsync();
            if (name != "status")
                continue;
            if (condition(data))
                return data;
            last = data;
        }
        throw new TimeoutException($"No status met the condition within {Gate.Limit.TotalSeconds} s. The last one: {last}");
    }

    public ValueTask DisposeAsync()
    {
        _events?.Dispose();
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Reading the dashboard's JSON.</summary>
internal static class StatusJson
{
    public static JsonElement[] Jobs(this JsonElement status) => [.. status.GetProperty("jobs").EnumerateArray()];

    public static JsonElement[] Workers(this JsonElement status) => [.. status.GetProperty("workers").EnumerateArray()];

    public static string Text(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    public static long Number(this JsonElement element, string name) => element.GetProperty(name).GetInt64();

    public static JsonElement Job(this JsonElement status, long id) => status.Jobs().Single(job => job.Number("id") == id);
}
