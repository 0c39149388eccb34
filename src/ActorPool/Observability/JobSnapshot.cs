namespace ActorPool.Observability;

/// <summary>What a job came to at a moment: its counts, its total (null while unknown), how it ended (or that it runs), how long since it was submitted (to its end).</summary>
internal sealed record JobSnapshot(long Id, string Kind, long Completed, long Failed, long? Total, JobState State, long Retries, TimeSpan Elapsed)
{
    /// <summary>The job as people read it: its kind and id.</summary>
    public string Describe() => JobKind.Describe(Kind, Id);
}
