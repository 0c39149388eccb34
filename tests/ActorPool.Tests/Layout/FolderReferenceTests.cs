using System.Reflection;

namespace ActorPool.Tests.Layout;

/// <summary>
/// The library's folders keep one road (README, "How it works"): a Map goes from the public API at
/// the root through <c>Coordination</c>, <c>Routing</c> and <c>Workers</c> to <c>Protocol</c>. No folder
/// on that road refers to one before it, nor to the root but for its public vocabulary (options,
/// contexts, exceptions). <c>Lifecycle</c>, <c>Configuration</c>, <c>Observability</c> and
/// <c>Threads</c> serve them all, so they refer to nothing on the road but <c>Protocol</c>.
/// </summary>
public sealed class FolderReferenceTests
{
    private static readonly string[] Road = ["Coordination", "Routing", "Workers", "Protocol"];

    private static readonly string[] Beside = ["Lifecycle", "Configuration", "Observability", "Threads"];

    // What a caller submits with and waits on: the road hands results back through reply addresses, never through these.
    private static readonly Type[] Submission = [typeof(Pool), typeof(AsyncResult<>), typeof(PoolIterator<>)];

    private static readonly Assembly Library = typeof(Pool).Assembly;

    private const string Root = "ActorPool";

    private static readonly Dictionary<string, Dictionary<Type, Type>> References = FolderReferences.Of(Library, Root);

    [Fact]
    public void FoldersOnAMapsRoad_NeverReferToOneBeforeThem()
    {
        var backwards = Road.SelectMany((folder, place) => Referring(folder, type => Road.Take(place).Contains(FolderOf(type)))).ToList();
        Assert.True(backwards.Count == 0, string.Join(Environment.NewLine, backwards));
    }

    [Fact]
    public void FoldersOnAndBesideTheRoad_ReferToTheRootOnlyForItsPublicVocabulary()
    {
        var intoTheRoot = Road.Concat(Beside)
            .SelectMany(folder => Referring(folder, type => FolderOf(type) == "" && (!type.IsVisible || Submission.Contains(Definition(type)))))
            .ToList();
        Assert.True(intoTheRoot.Count == 0, string.Join(Environment.NewLine, intoTheRoot));
    }

    [Fact]
    public void FoldersBesideTheRoad_ReferToNothingOnItButProtocol()
    {
        var onto = Beside.SelectMany(folder => Referring(folder, type => FolderOf(type) is { } to && to != "Protocol" && Road.Contains(to))).ToList();
        Assert.True(onto.Count == 0, string.Join(Environment.NewLine, onto));
    }

    [Fact]
    public void FolderReferences_FindAReferenceMadeOnlyInAMethodsIL()
    {
        var fixture = FolderReferences.Of(typeof(FolderReferenceTests).Assembly, "ActorPool.Tests.Layout.Fixture");
        Assert.Equal(typeof(Fixture.Lower.Worker), fixture["Lower"][typeof(Fixture.Upper.Job)]);
        Assert.Empty(fixture["Upper"]);
    }

    [Fact]
    public void FolderReferences_FindTheRoadsOwnSteps()
    {
        // The rules above hold on an empty scan too: this fails if the scan misses what every Map goes through.
        Assert.Contains("Routing", Folders("Coordination"));
        Assert.Contains("Workers", Folders("Routing"));
        Assert.Contains("Protocol", Folders("Workers"));
        Assert.Contains("Coordination", Folders(""));
        Assert.Contains("", Folders("Protocol")); // the root's vocabulary: JobOptions, PoolContext
    }

    /// <summary>What <paramref name="folder"/> refers to that it must not, as messages naming the type and where.</summary>
    private static IEnumerable<string> Referring(string folder, Func<Type, bool> forbidden) =>
        References[folder]
            .Where(reference => forbidden(reference.Key))
            .Select(reference => $"{folder} refers to {reference.Key} (in {reference.Value})");

    private static IEnumerable<string?> Folders(string folder) => References[folder].Keys.Select(FolderOf).Distinct();

    private static string? FolderOf(Type type) => FolderReferences.FolderOf(type, Library, Root);

    private static Type Definition(Type type) => type.IsGenericType ? type.GetGenericTypeDefinition() : type;
}
