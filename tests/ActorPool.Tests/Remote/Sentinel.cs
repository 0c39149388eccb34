using System.Runtime.Serialization;

namespace ActorPool.Tests.Remote;

/// <summary>
/// A type no function names: making one is what the wire must never do. It counts what it made in
/// this process, and, where <see cref="FolderVariable"/> names a folder (a node host started by a
/// test inherits it), leaves a file there named after the process that made one.
/// </summary>
public sealed class Sentinel
{
    /// <summary>The environment variable naming the folder of the files.</summary>
    public const string FolderVariable = "ACTORPOOL_TEST_SENTINEL_FOLDER";

    private static int _made;

    public Sentinel()
    {
        Interlocked.Increment(ref _made);
        if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder && Directory.Exists(folder))
            File.WriteAllText(PathFor(folder, Environment.ProcessId), "");
    }

    public string? Text { get; set; }

    /// <summary>Sentinels made in this process.</summary>
    public static int Made => Volatile.Read(ref _made);

    /// <summary>The file process <paramref name="processId"/> leaves in <paramref name="folder"/> when it makes one.</summary>
    public static string PathFor(string folder, int processId) => Path.Combine(folder, $"made-{processId}");
}

/// <summary>An exception type that makes a <see cref="Sentinel"/> however it is made.</summary>
public sealed class SentinelException : Exception
{
    public SentinelException() => _ = new Sentinel();

    public SentinelException(string message) : base(message) => _ = new Sentinel();

    public SentinelException(SerializationInfo info, StreamingContext context) => _ = new Sentinel();
}
