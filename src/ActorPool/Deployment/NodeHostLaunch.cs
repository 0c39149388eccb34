using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ActorPool.Deployment;

/// <summary>
/// How a node host process is started from an application: <c>dotnet exec</c> on the node host's
/// assembly, by the muxer of the runtime the application runs on, on the node host's own runtime
/// configuration, widened to the application's shared frameworks when it has more than .NET's base.
/// </summary>
/// <remarks>
/// The node host's runtime configuration names .NET's base framework only. An application on
/// ASP.NET Core gets some of the node host's dependencies (Microsoft.Extensions.Hosting, among
/// others) from that framework, so its build does not copy them next to it, and a node host
/// started there on its own configuration cannot find them. It is started on a copy of its own
/// configuration (its roll-forward and its tuning of the thread pool and the JIT kept) that names
/// the application's frameworks instead, written once to the temporary folder under a name that
/// its content decides.
/// </remarks>
internal static class NodeHostLaunch
{
    private static readonly ConcurrentDictionary<string, string?> RuntimeConfigs = new();

    private static readonly Lazy<string> Muxer = new(FindMuxer);

    /// <summary>The start of a node host process at <paramref name="nodeHostPath"/>, its output redirected; the caller adds the node host's arguments.</summary>
    public static ProcessStartInfo For(string nodeHostPath)
    {
        var start = new ProcessStartInfo(Muxer.Value)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        if (RuntimeConfigs.GetOrAdd(nodeHostPath, WidenedRuntimeConfig) is { } runtimeConfig)
        {
            start.ArgumentList.Add("--runtimeconfig");
            start.ArgumentList.Add(runtimeConfig);
        }
        start.ArgumentList.Add(nodeHostPath);
        return start;
    }

    /// <summary>
    /// The node host's runtime configuration on the application's shared frameworks, written to a
    /// file; null when the node host's own will do (the application runs on .NET's base framework
    /// only, or is self-contained, or either configuration cannot be read).
    /// </summary>
    internal static string? WidenedRuntimeConfig(string nodeHostPath)
    {
        if (AppFrameworks() is not { } frameworks
            || frameworks.All(framework => framework?["name"]?.GetValue<string>() == "Microsoft.NETCore.App")
            || ReadRuntimeConfig(Path.ChangeExtension(nodeHostPath, ".runtimeconfig.json")) is not { } node)
            return null;
        var options = (JsonObject)node["runtimeOptions"]!;
        options.Remove("framework");
        options.Remove("includedFrameworks");
        options["frameworks"] = frameworks.DeepClone();
        var text = node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();
        var path = Path.Combine(Path.GetTempPath(), $"actorpool-node-{hash}.runtimeconfig.json");
        try
        {
            if (!File.Exists(path))
            {
                // Written aside and moved into place: a node host of another pool may be reading it.
                var aside = $"{path}.{Environment.ProcessId}.tmp";
                File.WriteAllText(aside, text);
                File.Move(aside, path, overwrite: true);
            }
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The shared frameworks the running application names in its runtime configuration; null if it names none (self-contained) or it cannot be read.</summary>
    private static JsonArray? AppFrameworks()
    {
        // The host lists the dependency manifests, the application's first, separated by semicolons
        // on every OS; its runtime configuration is beside it.
        if (AppContext.GetData("APP_CONTEXT_DEPS_FILES") is not string depsFiles
            || depsFiles.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is not { } deps
            || !deps.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase)
            || ReadRuntimeConfig(deps[..^".deps.json".Length] + ".runtimeconfig.json")?["runtimeOptions"] is not JsonObject options)
            return null;
        return options["frameworks"] as JsonArray
            ?? (options["framework"] is JsonObject single ? new JsonArray(single.DeepClone()) : null);
    }

    private static JsonNode? ReadRuntimeConfig(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            }) is JsonObject { } root && root["runtimeOptions"] is JsonObject ? root : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>dotnet</c> muxer of the runtime this process runs on, so that node hosts find the same frameworks; <c>dotnet</c> on the PATH if it cannot be told.</summary>
    private static string FindMuxer()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } process && Path.GetFileName(process).Equals(name, StringComparison.OrdinalIgnoreCase))
            return process;
        // <root>/shared/Microsoft.NETCore.App/<version>/ holds the runtime; <root>/dotnet is its muxer.
        var fromRuntime = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", name));
        return File.Exists(fromRuntime) ? fromRuntime : "dotnet";
    }
}
