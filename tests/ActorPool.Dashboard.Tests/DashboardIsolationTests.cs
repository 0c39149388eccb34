namespace ActorPool.Dashboard.Tests;

/// <summary>Tests that change the process's environment: run alone.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

[Collection(nameof(ProcessEnvironment))]
public sealed class DashboardIsolationTests
{
    /// <remarks>
    /// An ASP.NET Core application's settings (here as ASPNETCORE_ variables, as a container sets
    /// them: allowed hosts, Kestrel endpoints) are the application's, not its dashboard's: a
    /// dashboard that read them would refuse every request, or listen on the application's address.
    /// </remarks>
    [Fact]
    public async Task StartDashboard_TheApplicationsAspNetCoreSettings_DoNotReachIt()
    {
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ALLOWEDHOSTS"] = "api.example.com",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:1",
        };
        foreach (var (name, value) in settings)
            Environment.SetEnvironmentVariable(name, value);
        try
        {
            await using var pool = new Pool(1);
            await using var dashboard = await pool.StartDashboardAsync("http://127.0.0.1:0");
            using var http = new HttpClient { BaseAddress = dashboard.Url };

            var response = await http.GetAsync("api/status");

            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.NotEqual(1, dashboard.Url.Port);
        }
        finally
        {
            foreach (var name in settings.Keys)
                Environment.SetEnvironmentVariable(name, null);
        }
    }

    /// <remarks>A site whose name was made to resolve to 127.0.0.1 (DNS rebinding) sends its own name as Host.</remarks>
    [Fact]
    public async Task Dashboard_OnLoopback_RefusesRequestsForAnotherHostName()
    {
        await using var pool = new Pool(1);
        await using var dashboard = await pool.StartDashboardAsync("http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = dashboard.Url };
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "api/status");
        rebound.Headers.Host = $"attacker.example:{dashboard.Url.Port}";
        using var local = new HttpRequestMessage(HttpMethod.Get, "api/status");
        local.Headers.Host = $"localhost:{dashboard.Url.Port}";

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await http.SendAsync(rebound)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.SendAsync(local)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("api/status")).StatusCode);
    }
}
