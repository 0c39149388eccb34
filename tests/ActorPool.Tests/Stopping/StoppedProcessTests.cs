using System.Diagnostics;

namespace ActorPool.Tests.Stopping;

/// <summary>
/// A pool's application stopped from outside, as service managers stop applications: outstanding
/// results fail at once, nothing hangs, the process exits, and it leaves no worker process behind.
/// </summary>
public sealed class StoppedProcessTests
{
    /// <remarks>
    /// SIGTERM does to an application with a pool what it does to any .NET application: it exits,
    /// with the code of a process ended by SIGTERM, and its worker processes (which watch their
    /// parent) go with it. The pool's ActorSystem leaves the signal alone: Akka's handler would take
    /// it, run its shutdown and leave the process running, forever for an application that does not
    /// wait on its pool.
    /// </remarks>
    [Theory]
    [InlineData("plain", "InProcess")]
    [InlineData("plain", "LocalProcesses")]
    [InlineData("idle", "InProcess")]
    [InlineData("idle", "LocalProcesses")]
    public void Sigterm_ApplicationMidMapOrIdle_ExitsAsAnyApplicationWould_AndLeavesNoWorkerProcess(string mode, string deployment)
    {
        using var app = StopApp.Start(mode, deployment);
        app.WaitForLine("running");
        var workers = app.Children();

        app.Terminate();

        Assert.True(app.WaitForExit(), $"The app was still running after SIGTERM. It printed:\n{app.Output}");
        Assert.Equal(143, app.ExitCode);
        Assert.DoesNotContain("completed", app.Output);
        Assert.All(workers, AssertGone);
    }

    /// <remarks>
    /// The host decides what SIGTERM means (a Generic Host stops), and its pool closes and joins
    /// (AddActorPool): the job under way finishes before the host exits.
    /// </remarks>
    [Theory]
    [InlineData("InProcess")]
    [InlineData("LocalProcesses")]
    public void Sigterm_GenericHostWithAddActorPool_TheJobUnderWayFinishes_ThenTheHostExits(string deployment)
    {
        using var app = StopApp.Start("hosted-pool", deployment);
        app.WaitForLine("running");
        var workers = app.Children();

        app.Terminate();

        Assert.True(app.WaitForExit(), $"The host was still running after SIGTERM. It printed:\n{app.Output}");
        Assert.Contains("completed", app.Output);
        Assert.Contains("host stopped", app.Output);
        Assert.Equal(0, app.ExitCode);
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
        // Akka's TCP transport warns "Unable to REMOVE channel ... from connection group" when a
        // connection's close event comes after its Shutdown emptied that group (DotNettyTransport:
        // Shutdown awaits each channel's close, then clears the group, and a channel's inactive
        // event may run later): its own race, seen once in 9 disposals here (2026-12-06), with
        // everything stopped all the same. Not yet known whether something of ours made it likelier.
        var warnings = app.Output.Split('\n')
            .Where(line => line.Contains("[WARNING]") && !line.Contains("heartbeat interval is growing too large")
                && !(line.Contains("Unable to REMOVE channel") && line.Contains("from connection group"))).ToList();
        Assert.True(warnings.Count == 0, "Warnings (xunit cuts a collection's items short):\n" + string.Join("\n", warnings));
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
