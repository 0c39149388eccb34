namespace ActorPool.Node;

/// <summary>The node host's command line, parsed.</summary>
internal sealed record NodeHostOptions(
    string Hostname,
    int Port,
    IReadOnlyList<string> Seeds,
    int Workers,
    string Role,
    FileInfo? Config,
    IReadOnlyList<FileInfo> Load,
    int? ParentPid,
    bool ReplaceByExit = false,
    string? Certificate = null,
    IReadOnlyList<string>? Trust = null,
    bool Insecure = false);
