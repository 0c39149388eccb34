using System.Diagnostics;

namespace ActorPool.Tests.Stopping;

/// <summary>
/// A pool's application stopped from outside, as service managers stop applications: outstanding
/// results fail at once, nothing hangs, the process exits, and it leaves no worker process behind.
/// </summary>
public sealed class StoppedProcessTests
{
    [Theory]
    [InlineData("InProcess")]
    [InlineData("LocalProcesses")]
    public void Sigterm_MidMap_JobFailsAndTheProcessExits(string deployment)
    {
        using var app = StopApp.Start("plain", deployment);
        app.WaitForLine("running");
        var workers = app.Children();

        app.Terminate();

        Assert.True(app.WaitForExit(), $"The app was still running after SIGTERM. It printed:\n{app.Output}");
        Assert.Contains("failed: PoolTerminatedException", app.Output);
        Assert.Contains("disposed", app.Output);
        Assert.All(workers, AssertGone);
    }

    [Fact]
    public void Sigterm_HostedPoolMidMap_JobFailsNewWorkIsRefusedAndTheHostExits()
    {
        using var app = StopApp.Start("hosted");
        app.WaitForLine("running");

        app.Terminate();

        Assert.True(app.WaitForExit(), $"The host was still running after SIGTERM. It printed:\n{app.Output}");
        Assert.Contains("failed: PoolTerminatedException", app.Output);
        Assert.Contains("refused: Pool not running: its ActorSystem has shut down", app.Output);
        Assert.Contains("host stopped", app.Output);
    }

    [Fact]
    public void Dispose_LocalProcesses_LogsNoErrorOrWarning()
    {
        using var app = StopApp.Start("dispose");
        Assert.True(app.WaitForExit(), $"The app did not finish. It printed:\n{app.Output}");
        Assert.Contains("mapped 100", app.Output);
        Assert.Contains("disposed", app.Output);
        Assert.DoesNotContain("[ERROR]", app.Output);
        // The failure detector warns when heartbeats arrive late, which a busy machine causes at
        // any time (the suite runs many processes on two cores): that reports load, not the stop.
        var warnings = app.Output.Split('\n')
            .Where(line => line.Contains("[WARNING]") && !line.Contains("heartbeat interval is growing too large"));
        Assert.Empty(warnings);
    }

    private static void AssertGone(int pid)
    {
        Process worker;
        try
        {
            worker = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return; // gone already
        }
        using (worker)
            Assert.True(worker.WaitForExit(Gate.Limit), $"Worker process {pid} outlived its pool's application.");
    }
}
