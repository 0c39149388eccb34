using ActorPool.Lifecycle;
using ActorPool.Observability;

namespace ActorPool.Dashboard;

/// <summary>Reads a pool's telemetry into what the dashboard serves. Thread-safe; each reader of the task stream and alerts keeps its own cursors.</summary>
internal sealed class DashboardFeed(Pool pool)
{
    private readonly PoolTelemetry _telemetry = pool.Telemetry;

    public DashboardStatus Status()
    {
        var board = _telemetry.Board;
        var jobs = _telemetry.Jobs().Select(job => new JobRow(
            job.Id, job.Kind, job.Completed, job.Failed, job.Total, StateName(job.State), job.Retries, job.Elapsed.TotalSeconds)).ToList();
        var workers = board.Workers().Select(worker => new WorkerRow(worker.Id, worker.Node, worker.State, worker.Current, worker.Completed)).ToList();
        return new DashboardStatus(
            _telemetry.Name,
            pool.State switch { PoolState.Running => "running", PoolState.Closing => "closing", _ => "terminated" },
            pool.Processes,
            board.Now,
            _telemetry.Completed,
            _telemetry.Failed,
            _telemetry.Pending,
            _telemetry.RunningJobs,
            workers,
            jobs);
    }

    /// <summary>The stretches of work ended since <paramref name="cursor"/>; moves it past them.</summary>
    public IReadOnlyList<TaskRow> TasksSince(ref long cursor) =>
        _telemetry.Board.StretchesSince(ref cursor).Select(s => new TaskRow(s.Worker, s.Job, s.Start, s.End, s.Items, s.Failed)).ToList();

    /// <summary>The alerts raised since <paramref name="cursor"/>; moves it past them.</summary>
    public IReadOnlyList<AlertRow> AlertsSince(ref long cursor) =>
        _telemetry.Board.AlertsSince(ref cursor).Select(a => new AlertRow(a.Time, KindName(a.Kind), a.Text)).ToList();

    private static string StateName(JobState state) => state switch
    {
        JobState.Running => "running",
        JobState.Finished => "finished",
        JobState.Failed => "failed",
        _ => "cancelled",
    };

    private static string KindName(AlertKind kind) => kind switch
    {
        AlertKind.Failure => "failure",
        AlertKind.Retry => "retry",
        AlertKind.JobFailed => "job-failed",
        AlertKind.Cancelled => "cancelled",
        _ => "worker-lost",
    };
}
