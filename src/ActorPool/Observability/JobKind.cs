namespace ActorPool.Observability;

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
