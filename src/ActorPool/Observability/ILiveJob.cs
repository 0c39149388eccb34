namespace ActorPool.Observability;

/// <summary>
/// A job, running or just ended, as the pool's telemetry reads it: the job's counts
/// (<c>Coordination.JobTally</c>) report to <see cref="PoolTelemetry"/> through this, so that
/// observability needs nothing of how jobs are coordinated.
/// </summary>
internal interface ILiveJob
{
    /// <summary>The job's id in its pool.</summary>
    long Id { get; }

    /// <summary>Items submitted to workers and not finished yet.</summary>
    long Pending { get; }

    /// <summary>How the job ended, or that it has not.</summary>
    JobState State { get; }

    /// <summary>The job as people read it: its kind and id.</summary>
    string Describe();

    /// <summary>What the job has come to so far, or came to.</summary>
    JobSnapshot Snapshot();
}
