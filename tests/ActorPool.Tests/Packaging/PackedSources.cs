namespace ActorPool.Tests.Packaging;

/// <summary>
/// The repository's packages, packed once for the tests of a class as its release would be
/// (<c>dotnet pack -c Release</c> of every project under src/), from a copy of the sources in a
/// folder of its own: the repository's bin and obj folders, which other tests run from, are not
/// touched. The version is one of its own, so that no package of the same version cached from an
/// earlier run stands in for these, and packages go to a cache of its own; what the machine's
/// cache already holds (Akka and the rest) is read from there. Deleted when disposed.
/// </summary>
public sealed class PackedSources : IDisposable
{
    private static readonly TimeSpan PackLimit = TimeSpan.FromMinutes(6);
    private readonly TempFolder _folder = new();

    public PackedSources()
    {
        try
        {
            var repository = FindRepository();
            var sources = Directory.CreateDirectory(Path.Combine(Root, "sources")).FullName;
            foreach (var file in new[] { "Directory.Build.props", "LICENSE", "README.md" })
                File.Copy(Path.Combine(repository, file), Path.Combine(sources, file));
            CopySources(Path.Combine(repository, "src"), Path.Combine(sources, "src"));
            Artifacts = Directory.CreateDirectory(Path.Combine(Root, "artifacts")).FullName;
            var cache = Directory.CreateDirectory(Path.Combine(Root, "packages")).FullName;
            var machineCache = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
                ? set
                : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            // Above both the sources and the user's application: the artifacts as a source beside the
            // machine's own (NuGet's for Akka and the rest), and the machine's cache to read from.
            NuGetConfig = Path.Combine(Root, "nuget.config");
            File.WriteAllText(NuGetConfig, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources><add key="artifacts" value="{Artifacts}" /></packageSources>
                  <fallbackPackageFolders><add key="machine" value="{machineCache}" /></fallbackPackageFolders>
                </configuration>
                """);
            Environment = new Dictionary<string, string>
            {
                ["NUGET_PACKAGES"] = cache,
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
                ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            };
            Projects = Directory.GetFiles(Path.Combine(sources, "src"), "*.csproj", SearchOption.AllDirectories)
                .Select(Path.GetFileNameWithoutExtension).Order().ToArray()!;
            // The solution's packable projects are those under src/; the others are built, not packed, by the solution's pack.
            var solution = Path.Combine(sources, "packages.slnx");
            File.WriteAllText(solution, "<Solution>\n"
                + string.Concat(Directory.GetFiles(Path.Combine(sources, "src"), "*.csproj", SearchOption.AllDirectories)
                    .Select(project => $"  <Project Path=\"{Path.GetRelativePath(sources, project)}\" />\n"))
                + "</Solution>\n");
            PackOutput = DotnetCommand.Run(sources, Environment, PackLimit,
                "pack", solution, "-c", "Release", "-o", Artifacts, $"-p:Version={Version}", "--disable-build-servers");
        }
        catch
        {
            _folder.Dispose();
            throw;
        }
    }

    /// <summary>The folder that holds everything: the copy of the sources, the artifacts, the cache, the tests' own folders.</summary>
    public string Root => _folder.Path;

    /// <summary>Where the packages went (<c>-o</c>).</summary>
    public string Artifacts { get; }

    /// <summary>The version every package was packed with.</summary>
    public string Version { get; } = $"0.0.0-packtest.{DateTime.UtcNow:yyyyMMddHHmmssfff}";

    /// <summary>The NuGet configuration for everything under <see cref="Root"/>.</summary>
    public string NuGetConfig { get; }

    /// <summary>The environment for dotnet commands run against these packages.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The names of the projects under src/.</summary>
    public IReadOnlyList<string> Projects { get; }

    /// <summary>What the pack printed.</summary>
    public string PackOutput { get; }

    public void Dispose() => _folder.Dispose();

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "ActorPool.sln")))
                return folder.FullName;
        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds ActorPool.sln.");
    }

    /// <summary>Copies a source tree, leaving out build output (bin, obj).</summary>
    private static void CopySources(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(from).Where(folder => Path.GetFileName(folder) is not ("bin" or "obj")))
            CopySources(folder, Path.Combine(to, Path.GetFileName(folder)));
    }
}
