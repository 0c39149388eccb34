using System.IO.Compression;
using System.Xml.Linq;

namespace ActorPool.Tests.Packaging;

/// <summary>
/// The packages, proven as a user would use them: packed from the sources, restored by a fresh
/// console application from the artifacts folder, and the node host installed as a .NET tool.
/// </summary>
public sealed class PackagesTests(PackedSources packed) : IClassFixture<PackedSources>
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(4);

    [Fact]
    public void Pack_EverySrcProject_IsAPackageWithMetadataLicenseReadmeDocsAndSymbols()
    {
        Assert.Contains("ActorPool", packed.Projects);
        Assert.Contains("ActorPool.Node", packed.Projects);
        foreach (var project in packed.Projects)
        {
            var package = Path.Combine(packed.Artifacts, $"{project}.{packed.Version}.nupkg");
            Assert.True(File.Exists(package), $"{project} was not packed: {package}\n{packed.PackOutput}");
            Assert.True(File.Exists(Path.ChangeExtension(package, ".snupkg")), $"{project} has no symbol package.");
            using var zip = ZipFile.OpenRead(package);
            var entries = zip.Entries.Select(entry => entry.FullName).ToHashSet();
            XElement nuspecRoot;
            using (var nuspec = zip.GetEntry($"{project}.nuspec")!.Open())
                nuspecRoot = XDocument.Load(nuspec).Root!;
            var ns = nuspecRoot.Name.Namespace; // NuGet writes tool packages' under an older schema
            var metadata = nuspecRoot.Element(ns + "metadata")!;
            Assert.Equal(project, metadata.Element(ns + "id")?.Value);
            Assert.Equal(packed.Version, metadata.Element(ns + "version")?.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value), $"{project} has no description.");
            Assert.Contains("README.md", entries);
            Assert.Contains("LICENSE", entries);
            // Every assembly of the package carries its XML documentation.
            var assemblies = entries.Where(entry => (entry.StartsWith("lib/", StringComparison.Ordinal) || entry.StartsWith("tools/", StringComparison.Ordinal))
                && entry.EndsWith($"/{project}.dll", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(assemblies);
            foreach (var assembly in assemblies)
                Assert.Contains(Path.ChangeExtension(assembly, ".xml"), entries);
        }
    }

    [Fact]
    public void ActorPoolPackage_FreshConsoleApp_MapsInProcessAndOnLocalProcesses()
    {
        var app = Directory.CreateDirectory(Path.Combine(packed.Root, "app")).FullName;
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ActorPool" Version="{packed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using ActorPool;

            using (var pool = new Pool(2))
                Console.WriteLine($"in-process: {string.Join(",", pool.Map(Square, [1, 2, 3, 4]))}");
            using (var pool = new Pool(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = 2 }))
            {
                Console.WriteLine($"processes: {string.Join(",", pool.Map(Square, [1, 2, 3, 4]))}");
                var pids = pool.Map(ProcessId, Enumerable.Range(0, 8).ToArray(), chunkSize: 1);
                Console.WriteLine($"ran here: {pids.Contains(Environment.ProcessId)}, processes: {pids.Distinct().Count()}");
            }

            static int Square(int x) => x * x;
            static int ProcessId(int _) => Environment.ProcessId;
            """);

        var output = DotnetCommand.Run(app, packed.Environment, CommandLimit, "run", "-c", "Release", "--disable-build-servers");

        Assert.Contains("in-process: 1,4,9,16", output);
        Assert.Contains("processes: 1,4,9,16", output);
        Assert.Contains("ran here: False, processes: ", output); // every task ran in a worker process
        Assert.True(File.Exists(Path.Combine(app, "bin", "Release", "net10.0", "actorpool-node", "ActorPool.Node.dll")), output);
    }

    [Fact]
    public void NodeToolPackage_InstalledWithToolPath_PrintsUsage()
    {
        var tools = Path.Combine(packed.Root, "tools");

        DotnetCommand.Run(packed.Root, packed.Environment, CommandLimit,
            "tool", "install", "--tool-path", tools, "--configfile", packed.NuGetConfig, "--add-source", packed.Artifacts,
            "--version", packed.Version, "ActorPool.Node");
        var help = DotnetCommand.RunProgram(Path.Combine(tools, "actorpool-node"), packed.Root, packed.Environment, CommandLimit, "--help");

        Assert.Contains("ActorPool node host", help);
        Assert.Contains("Usage:", help);
        Assert.Contains("--seed", help);
        Assert.Contains("--load", help);
    }
}
