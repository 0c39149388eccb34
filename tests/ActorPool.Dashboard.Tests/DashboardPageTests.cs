using PuppeteerSharp;

namespace ActorPool.Dashboard.Tests;

/// <summary>The page in a real browser: Debian's headless Chromium, driven by PuppeteerSharp (<c>.ci/run</c> installs it when missing).</summary>
public sealed class DashboardPageTests
{
    private const string JobRow = "document.querySelector('tr[data-job-id=\"{0}\"]')";

    /// <summary>Where the screenshots go: the test output, for a person to look at.</summary>
    public static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task Page_ShowsAJobsProgressAdvancingToCompletion()
    {
        await using var pool = new Pool(new PoolOptions { Processes = 2, Name = "quick-start" });
        await using var dashboard = await pool.StartDashboardAsync("http://127.0.0.1:0");
        // Some history for the page to show: a finished job with a task stream, a failed one, a few applies.
        await pool.MapAsync(Work, Enumerable.Range(0, 400), chunkSize: 10);
        try
        {
            await pool.MapAsync(x => x == 13 ? throw new InvalidOperationException("unlucky 13") : x, Enumerable.Range(0, 20), chunkSize: 1);
        }
        catch (InvalidOperationException)
        {
        }
        for (var i = 0; i < 3; i++)
            await pool.ApplyAsync(Work, i);
        await pool.MapAsync(FailFirstAttemptOfEveryFifth, Enumerable.Range(0, 20), chunkSize: 2, options: new JobOptions { Retries = 1 });
        var gate = new Gate();
        var job = pool.MapAsync(x => { if (x >= 10) gate.Pass(); return Work(x); }, Enumerable.Range(0, 40), chunkSize: 1);

        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = Chromium(),
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1440, Height = 1000 });
        await page.GoToAsync(dashboard.Url.ToString());
        var jobId = pool.Telemetry.Jobs().First().Id;
        var row = string.Format(JobRow, jobId);

        await WaitForAsync(page, $"{row}?.dataset.completed === '10' && {row}.dataset.state === 'running'");
        var midway = await page.EvaluateExpressionAsync<string>($"{row}.querySelector('.label').textContent");
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(Path.Combine(ScreenshotFolder, "dashboard-running.png"));
        gate.Open();
        await job;
        await WaitForAsync(page, $"{row}?.dataset.state === 'finished'");
        var done = await page.EvaluateExpressionAsync<string>($"{row}.querySelector('.label').textContent");
        await page.ScreenshotAsync(Path.Combine(ScreenshotFolder, "dashboard-finished.png"));

        Assert.Equal("10 / 40", midway);
        Assert.Equal("40 / 40", done);
        Assert.Equal("40", await page.EvaluateExpressionAsync<string>($"{row}.dataset.completed"));
        Assert.Equal(1, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('tr[data-state=\"failed\"]').length"));
        Assert.Equal("4", await page.EvaluateExpressionAsync<string>("document.querySelector('tr[data-retries=\"4\"]')?.dataset.retries"));
        Assert.Equal(2, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('tr[data-worker-id]').length"));
        var events = await page.EvaluateExpressionAsync<string>("document.getElementById('events').textContent");
        Assert.Contains("unlucky 13", events);
        Assert.Contains("1 retry in chunk", events);
    }

    private static int FailFirstAttemptOfEveryFifth(int x) =>
        x % 5 == 0 && PoolContext.Attempt == 1 ? throw new InvalidOperationException($"item {x} failed once") : Work(x);

    /// <summary>Some work for the task stream to show: a deterministic loop, about a millisecond of it.</summary>
    private static int Work(int x)
    {
        var sum = 0.0;
        for (var i = 1; i < 300_000; i++)
            sum += Math.Sqrt(i + x);
        return sum > 0 ? x : -x;
    }

    private static Task WaitForAsync(IPage page, string condition) =>
        page.WaitForFunctionAsync($"() => {condition}", new WaitForFunctionOptions { Timeout = (int)Gate.Limit.TotalMilliseconds });

    private static string Chromium()
    {
        foreach (var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" })
        {
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException("No Chromium found: install Debian's chromium package (.ci/run does when it is missing).");
    }
}
