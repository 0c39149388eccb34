using System.Runtime.Loader;
using ActorPool.Deployment;

namespace ActorPool.Node;

/// <summary>
/// The node host that the ActorPool package puts in an application's <c>actorpool-node/</c>
/// folder brings only what the package does not: ActorPool, Akka and their dependencies are
/// resolved here from the application's folder (named by the pool that starts the node, in
/// <see cref="LocalNodes.AppBaseVariable"/>), so a worker process runs the same builds as its pool.
/// Assemblies beside the node host come first, as the runtime loads them before asking here.
/// </summary>
internal static class AppAssemblies
{
    /// <summary>
    /// Resolves assemblies that are not beside the node host from the folder the environment
    /// names, if it names one. Call it first, before any type of ActorPool is touched.
    /// </summary>
    public static void ResolveFromApplication()
    {
        if (Environment.GetEnvironmentVariable(LocalNodes.AppBaseVariable) is not { Length: > 0 } folder)
            return;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var path = Path.Combine(folder, $"{name.Name}.dll");
            return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
        };
    }
}
