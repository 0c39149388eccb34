namespace ActorPool.Observability;

/// <summary>How a job ended, or that it has not.</summary>
internal enum JobState
{
    Running,
    Finished,
    Failed,
    Cancelled,
}

/// <summary>The kinds of job, as their activities are named (<c>actorpool.</c> and the kind) and the dashboard shows them.</summary>
internal static class JobKind
{
    public const string Map = "map";
    public const string StarMap = "starmap";
    public const string IMap = "imap";
    public const string IMapUnordered = "imap_unordered";
    public const string Apply = "apply";

    /// <summary>A job as people read it: its kind and id.</summary>
    public static string Describe(string kind, long id) => $"{kind} #{id}";
}

/// <summary>What a job came to at a moment: its counts, its total (null while unknown), how it ended (or that it runs), how long since it was submitted (to its end).</summary>
internal sealed record JobSnapshot(long Id, string Kind, long Completed, long Failed, long? Total, JobState State, long Retries, TimeSpan Elapsed)
{
    /// <summary>The job as people read it: its kind and id.</summary>
    public string Describe() => JobKind.Describe(Kind, Id);
}
