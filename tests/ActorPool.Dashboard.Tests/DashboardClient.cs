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

    /// <summary>Reads the stream until a status satisfies <paramref name="condition"/>, and returns that status.</summary>
    public async Task<JsonElement> StatusWhereAsync(Func<JsonElement, bool> condition)
    {
        while (true)
        {
            var (name, data) = await NextEventAsync();
            if (name == "status" && condition(data))
                return data;
        }
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
