using System.Diagnostics;
using System.Text.Json;

namespace ActorPool.Deployment;

/// <summary>
/// How a node host process is started from an application: <c>dotnet exec</c> on the node host's
/// assembly, with the application's runtime configuration when the application runs on shared
/// frameworks.
/// </summary>
/// <remarks>
/// The node host's own runtime configuration names .NET's base framework only. An application on
/// ASP.NET Core gets some of the node host's dependencies (Microsoft.Extensions.Hosting, among
/// others) from that framework, so its build does not copy them next to it, and a node host
/// started there on its own configuration cannot find them. Run on the application's
/// configuration, it has the application's frameworks, and finds them where the application does.
/// </remarks>
internal static class NodeHostLaunch
{
    /// <summary>The start of a node host process at <paramref name="nodeHostPath"/>, its output redirected; the caller adds the node host's arguments.</summary>
    public static ProcessStartInfo For(string nodeHostPath)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        if (s_appRuntimeConfig.Value is { } runtimeConfig)
        {
            start.ArgumentList.Add("--runtimeconfig");
            start.ArgumentList.Add(runtimeConfig);
        }
        start.ArgumentList.Add(nodeHostPath);
        return start;
    }

    private static readonly Lazy<string?> s_appRuntimeConfig = new(AppRuntimeConfig);

    /// <summary>The running application's runtime configuration, if it names shared frameworks; null otherwise (a self-contained application, or none found).</summary>
    internal static string? AppRuntimeConfig()
    {
        // The host lists the dependency manifests, the application's first, separated by semicolons on every OS; its runtime configuration is beside it.
        if (AppContext.GetData("APP_CONTEXT_DEPS_FILES") is not string depsFiles
            || depsFiles.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is not { } deps
            || !deps.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase))
            return null;
        var runtimeConfig = deps[..^".deps.json".Length] + ".runtimeconfig.json";
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(runtimeConfig), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return json.RootElement.TryGetProperty("runtimeOptions", out var options)
                && (options.TryGetProperty("framework", out _) || options.TryGetProperty("frameworks", out _))
                ? runtimeConfig
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
