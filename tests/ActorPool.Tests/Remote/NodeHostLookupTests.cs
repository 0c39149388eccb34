using ActorPool.Deployment;

namespace ActorPool.Tests.Remote;

/// <summary>Where a LocalProcesses pool looks for its node host when PoolOptions.NodeHostPath is not set.</summary>
public sealed class NodeHostLookupTests : IDisposable
{
    private readonly TempFolder _application = new();

    [Fact]
    public void FindNodeHost_BesideTheApplication_IsFound()
    {
        var beside = Touch("ActorPool.Node.dll");
        Touch(LocalNodes.PackagedNodeHostFolder, "ActorPool.Node.dll");

        Assert.Equal(beside, LocalNodes.FindNodeHost(_application.Path));
    }

    [Fact]
    public void FindNodeHost_WhereThePackagePutsIt_IsFound()
    {
        var packaged = Touch(LocalNodes.PackagedNodeHostFolder, "ActorPool.Node.dll");

        Assert.Equal(packaged, LocalNodes.FindNodeHost(_application.Path));
    }

    [Fact]
    public void FindNodeHost_Missing_SaysWhatToDoForLocalProcesses()
    {
        var error = Assert.Throws<FileNotFoundException>(() => LocalNodes.FindNodeHost(_application.Path));

        Assert.Contains("LocalProcesses", error.Message);
        Assert.Contains("actorpool-node/ActorPool.Node.dll", error.Message);
        Assert.Contains(_application.Path, error.Message);
        Assert.Contains("PoolOptions.NodeHostPath", error.Message);
        Assert.DoesNotContain("seed", error.Message, StringComparison.OrdinalIgnoreCase); // not a cluster's advice
    }

    public void Dispose() => _application.Dispose();

    private string Touch(params string[] path)
    {
        var file = Path.Combine([_application.Path, .. path]);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "");
        return file;
    }
}
