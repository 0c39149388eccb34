using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace ActorPool.Dashboard.Tests;

public sealed class DashboardStatusTests
{
    private static readonly string AnyPort = "http://127.0.0.1:0";

    /// <remarks>
    /// Two items on two workers; Akka's SmallestMailbox may give both to one worker (it sees queue
    /// length only), so the test waits for the first item to start and reads the workers as they are.
    /// </remarks>
    [Theory]
    [InlineData(PoolRouting.RoundRobin)]
    [InlineData(PoolRouting.SmallestMailbox)]
    [InlineData(PoolRouting.WorkPulling)]
    public async Task Status_WhileAMapRuns_ShowsItsWorkersBusyWithItAndTheJobRunning(PoolRouting routing)
    {
        await using var pool = new Pool(new PoolOptions { Processes = 2, Routing = routing });
        await using var dashboard = await pool.StartDashboardAsync(AnyPort);
        await using var client = new DashboardClient(dashboard);
        var gate = new Gate();
        var started = new Signal(1);

        var map = pool.MapAsync(x => { if (x == 0) started.Set(); gate.Pass(); return x; }, Enumerable.Range(0, 2), chunkSize: 1);
        started.WaitFor();
        var status = await client.StatusAsync();
        gate.Open();
        await map;

        var job = status.Jobs().Single();
        Assert.Equal("map", job.Text("kind"));
        Assert.Equal("running", job.Text("state"));
        Assert.Equal(2, job.Number("total"));
        Assert.Equal(0, job.Number("completed"));
        var workers = status.Workers();
        Assert.Equal(["worker-0", "worker-1"], workers.Select(worker => worker.Text("id")).Order());
        Assert.All(workers, worker => Assert.Equal("local", worker.Text("node")));
        var busy = workers.Where(worker => worker.Text("state") == "busy").ToList();
        Assert.NotEmpty(busy);
        Assert.All(busy, worker => Assert.StartsWith($"map #{job.Number("id")}, chunk ", worker.Text("current")));
        Assert.All(workers.Except(busy), worker => Assert.Equal(System.Text.Json.JsonValueKind.Null, worker.GetProperty("current").ValueKind));
    }

    [Fact]
    public async Task Status_AfterJobsEnd_ListsEachFinishedOrFailedWithItsCounts_AndWorkersCountTheItemsTheyRan()
    {
        await using var pool = new Pool(2);
        await using var dashboard = await pool.StartDashboardAsync(AnyPort);
        await using var client = new DashboardClient(dashboard);

        await pool.MapAsync(x => x * 2, Enumerable.Range(0, 30), chunkSize: 3);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await
            pool.MapAsync(x => x == 7 ? throw new InvalidOperationException("seven") : x, Enumerable.Range(0, 10), chunkSize: 1));
        Assert.Equal(4, await pool.ApplyAsync(() => 4));

        // A failed Map answers at its first failure; of the rest, chunks already sent run to their
        // end and the others are dropped: wait until nothing is pending and no worker is busy.
        var status = await client.StatusWhereAsync(s =>
            s.Number("pending") == 0 && s.Jobs().Length == 3 && s.Workers().All(worker => worker.Text("state") == "idle"));
        var jobs = status.Jobs();
        Assert.Equal(["apply", "map", "map"], jobs.Select(job => job.Text("kind")));
        Assert.Equal(["finished", "failed", "finished"], jobs.Select(job => job.Text("state")));
        Assert.True(jobs[0].Number("id") > jobs[1].Number("id") && jobs[1].Number("id") > jobs[2].Number("id"), "newest first");
        Assert.Equal((30, 0, 30), (jobs[2].Number("completed"), jobs[2].Number("failed"), jobs[2].Number("total")));
        Assert.Equal(1, jobs[1].Number("failed"));
        Assert.Equal((1, 1), (jobs[0].Number("completed"), jobs[0].Number("total")));
        // The workers ran every item counted, and at most every item submitted.
        Assert.InRange(status.Workers().Sum(worker => worker.Number("completed")),
            30 + jobs[1].Number("completed") + jobs[1].Number("failed") + 1, 30 + 10 + 1);
        Assert.All(status.Workers(), worker => Assert.Equal("idle", worker.Text("state")));
        Assert.Equal("running", status.Text("state"));
        Assert.Equal(pool.Name, status.Text("pool"));
    }

    [Fact]
    public async Task Status_LazyInput_TotalIsNullUntilTheInputEnds()
    {
        await using var pool = new Pool(2);
        await using var dashboard = await pool.StartDashboardAsync(AnyPort);
        await using var client = new DashboardClient(dashboard);
        var gate = new Gate();

        IEnumerable<int> Input()
        {
            yield return 1;
            yield return 2;
            gate.Pass();
            yield return 3;
        }

        using var results = pool.IMap(x => x, Input(), chunkSize: 1);
        var reading = await client.StatusWhereAsync(s => s.Jobs().Length == 1 && s.Jobs()[0].Number("completed") == 2);
        gate.Open();
        Assert.Equal([1, 2, 3], results.ToList());
        var ended = await client.StatusWhereAsync(s => s.Jobs()[0].Text("state") == "finished");

        Assert.Equal(JsonValueKind.Null, reading.Jobs()[0].GetProperty("total").ValueKind);
        Assert.Equal("imap", reading.Jobs()[0].Text("kind"));
        Assert.Equal((3, 3), (ended.Jobs()[0].Number("total"), ended.Jobs()[0].Number("completed")));
    }

    [Fact]
    public async Task Status_ListsTheLast100FinishedJobs_NewestFirst()
    {
        await using var pool = new Pool(2);
        await using var dashboard = await pool.StartDashboardAsync(AnyPort);
        await using var client = new DashboardClient(dashboard);

        for (var i = 0; i < 105; i++)
            Assert.Equal(i, await pool.ApplyAsync(n => n, i));

        var jobs = (await client.StatusAsync()).Jobs();
        Assert.Equal(100, jobs.Length);
        var ids = jobs.Select(job => job.Number("id")).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(jobs.Length, ids.Distinct().Count());
    }

    [Fact]
    public async Task Events_StreamTheStatusTheTaskStreamAndFailures()
    {
        await using var pool = new Pool(2);
        await using var dashboard = await pool.StartDashboardAsync(AnyPort);
        await using var client = new DashboardClient(dashboard);
        var first = await client.NextEventAsync();

        using var results = pool.IMap(x => x == 3 ? throw new ArgumentException("three") : x, Enumerable.Range(0, 6), chunkSize: 1);
        var outcomes = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            try
            {
                outcomes.Add(results.Next().ToString());
            }
            catch (ArgumentException ex)
            {
                outcomes.Add(ex.Message);
            }
        }

        var tasks = new List<JsonElement>();
        var alerts = new List<JsonElement>();
        while (tasks.Sum(task => task.Number("items")) < 6 || alerts.Count < 2)
        {
            var (name, data) = await client.NextEventAsync();
            if (name == "tasks")
                tasks.AddRange(data.EnumerateArray());
            else if (name == "alerts")
                alerts.AddRange(data.EnumerateArray());
        }

        Assert.Equal("status", first.Name);
        Assert.Equal(["0", "1", "2", "three", "4", "5"], outcomes);
        Assert.Equal(6, tasks.Count);
        Assert.All(tasks, task => Assert.True(task.GetProperty("end").GetDouble() >= task.GetProperty("start").GetDouble()));
        Assert.Single(tasks, task => task.Number("failed") == 1);
        // An IMap with a failed item is a failed job, even though its consumer went on past it.
        Assert.Equal(["failure", "job-failed"], alerts.Select(alert => alert.Text("kind")));
        Assert.StartsWith("imap #", alerts[0].Text("text"));
        Assert.EndsWith("1 item failed: ArgumentException: three", alerts[0].Text("text"));
    }

    /// <remarks>
    /// Also a test of a LocalProcesses pool in an application on ASP.NET Core's framework, as this
    /// one is: the node host's dependencies that the framework provides are not copied beside it.
    /// </remarks>
    [Fact]
    public async Task Status_OnLocalProcesses_ListsEachWorkerProcessWithItsNode_AndCountsWhatItRan()
    {
        await using var pool = new Pool(new PoolOptions { Processes = 2, Deployment = PoolDeployment.LocalProcesses });
        await using var dashboard = await pool.StartDashboardAsync(AnyPort);
        await using var client = new DashboardClient(dashboard);

        Assert.Equal(Enumerable.Range(0, 40).Select(Square), await pool.MapAsync(Square, Enumerable.Range(0, 40), chunkSize: 2));
        // The results reach the job before the workers' word that their batches are done reaches
        // the router; and the first worker process to join may have run it all before the second joined.
        var status = await client.StatusWhereAsync(s => s.Workers().Sum(worker => worker.Number("completed")) == 40 && s.Workers().Length == 2);

        var workers = status.Workers();
        Assert.Equal(2, workers.Length);
        Assert.All(workers, worker =>
        {
            Assert.Matches(@"^127\.0\.0\.1:\d+$", worker.Text("node"));
            Assert.StartsWith(worker.Text("node") + "/", worker.Text("id"));
            Assert.Equal("idle", worker.Text("state"));
        });
        Assert.Equal(2, workers.Select(worker => worker.Text("node")).Distinct().Count());
        Assert.Equal("finished", status.Jobs().Single().Text("state"));
        // The worker processes run on the node host's own runtime settings, on this application's frameworks.
        Assert.Equal("0", pool.Apply(SpinLimit, 0));
    }

    private static int Square(int x) => x * x;

    private static string SpinLimit(int _) => AppContext.GetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit")?.ToString() ?? "unset";

    [Theory]
    [InlineData("127.0.0.1:8787")]
    [InlineData("http://127.0.0.1")]
    [InlineData("https://127.0.0.1:8787")]
    [InlineData("http://127.0.0.1:8787/dashboard")]
    public async Task StartDashboard_NotHttpHostAndPort_FailsNamingUrl(string url)
    {
        await using var pool = new Pool(1);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => pool.StartDashboardAsync(url));
        Assert.Equal("url", error.ParamName);
        Assert.Contains("http://host:port", error.Message);
    }

    [Fact]
    public async Task StartDashboard_AddressInUse_FailsWithIOExceptionNamingIt_AndThePoolStaysUnwatched()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        await using var pool = new Pool(1);

        var error = await Assert.ThrowsAsync<IOException>(() => pool.StartDashboardAsync(url));

        Assert.Contains(url, error.Message);
        Assert.False(pool.Telemetry.Board.Watched);
    }

    [Fact]
    public async Task Dispose_StopsServing_AndThePoolIsNoLongerWatched()
    {
        await using var pool = new Pool(1);
        var dashboard = await pool.StartDashboardAsync(AnyPort);
        using var http = new HttpClient { BaseAddress = dashboard.Url };
        Assert.Contains("ActorPool", await http.GetStringAsync("/"));
        Assert.True(pool.Telemetry.Board.Watched);

        await dashboard.DisposeAsync();
        await dashboard.DisposeAsync();

        Assert.False(pool.Telemetry.Board.Watched);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync("/"));
    }
}
