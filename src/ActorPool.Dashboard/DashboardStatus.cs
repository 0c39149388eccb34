namespace ActorPool.Dashboard;

// What /api/status answers and /api/events sends, serialized with System.Text.Json's web
// defaults (camelCase). Times are seconds on the pool's board clock (DashboardStatus.Now is
// the time of the status), so that a page needs no clock of its own to place them.

/// <summary>The pool as a whole: its workers and jobs (the newest 100 running, then the last 100 finished, newest first); <c>runningJobs</c> counts every job in progress.</summary>
internal sealed record DashboardStatus(
    string Pool,
    string State,
    int Processes,
    double Now,
    long Completed,
    long Failed,
    long Pending,
    int RunningJobs,
    IReadOnlyList<WorkerRow> Workers,
    IReadOnlyList<JobRow> Jobs);

/// <summary>A worker: <c>state</c> is <c>idle</c> or <c>busy</c>; <c>current</c> what it runs when busy; <c>completed</c> the items it ran while watched.</summary>
internal sealed record WorkerRow(string Id, string Node, string State, string? Current, long Completed);

/// <summary>A job: <c>state</c> is <c>running</c>, <c>finished</c>, <c>failed</c> or <c>cancelled</c>; <c>total</c> is null while a lazy input is unread; <c>retries</c> the times its items were run again after a failure; <c>elapsed</c> seconds since it was submitted, to its end.</summary>
internal sealed record JobRow(long Id, string Kind, long Completed, long Failed, long? Total, string State, long Retries, double Elapsed);

/// <summary>A stretch of work for the task stream: a chunk in process, a batch on a node.</summary>
internal sealed record TaskRow(string Worker, long Job, double Start, double End, int Items, int Failed);

/// <summary>Something that went wrong: <c>kind</c> is <c>failure</c>, <c>retry</c>, <c>job-failed</c>, <c>cancelled</c> or <c>worker-lost</c>.</summary>
internal sealed record AlertRow(double Time, string Kind, string Text);
