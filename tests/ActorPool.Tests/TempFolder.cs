namespace ActorPool.Tests;

/// <summary>A folder of a test's own under the temporary directory, deleted with everything in it when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("actorpool-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
