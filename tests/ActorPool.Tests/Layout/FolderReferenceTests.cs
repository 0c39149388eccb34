namespace ActorPool.Tests.Layout;

/// <summary>
/// The library's folders keep one road (README, "How it works"): a Map goes from the public API at
/// the root through <c>Coordination</c>, <c>Routing</c> and <c>Workers</c> to <c>Protocol</c>, and no
/// folder on that road refers to one before it. <c>Lifecycle</c>, <c>Configuration</c> and
/// <c>Observability</c> serve them all, so they refer to none of them but <c>Protocol</c>.
/// </summary>
public sealed class FolderReferenceTests
{
    private static readonly string[] Road = ["Coordination", "Routing", "Workers", "Protocol"];

    private static readonly string[] Beside = ["Lifecycle", "Configuration", "Observability"];

    private static readonly Dictionary<string, Dictionary<string, string>> References = FolderReferences.Of(typeof(Pool).Assembly);

    [Fact]
    public void FoldersOnAMapsRoad_NeverReferToOneBeforeThem()
    {
        var backwards = Road
            .SelectMany((folder, place) => Road.Take(place).Where(References[folder].ContainsKey)
                .Select(earlier => $"{folder} refers to {earlier} (in {References[folder][earlier]})"))
            .ToList();
        Assert.True(backwards.Count == 0, string.Join(Environment.NewLine, backwards));
    }

    [Fact]
    public void FoldersBesideTheRoad_ReferToNoneOfItButProtocol()
    {
        var onto = Beside
            .SelectMany(folder => Road.Where(road => road != "Protocol" && References[folder].ContainsKey(road))
                .Select(road => $"{folder} refers to {road} (in {References[folder][road]})"))
            .ToList();
        Assert.True(onto.Count == 0, string.Join(Environment.NewLine, onto));
    }

    [Fact]
    public void FolderReferences_FindTheRoadsOwnSteps()
    {
        // The tests above pass on an empty scan too: this one fails if the scan misses the references every Map makes.
        Assert.Contains("Routing", References["Coordination"].Keys);
        Assert.Contains("Workers", References["Routing"].Keys);
        Assert.Contains("Protocol", References["Workers"].Keys);
        Assert.Contains("Coordination", References[""].Keys);
    }
}
