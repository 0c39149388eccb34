namespace ActorPool.Observability;

/// <summary>How a job ended, or that it has not.</summary>
internal enum JobState
{
    Running,
    Finished,
    Failed,
    Cancelled,
}
