using System.Diagnostics;
using System.Net;
using ActorPool.Protocol;
using ActorPool.Remote;
using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace ActorPool.Deployment;

/// <summary>The driver side of <see cref="PoolDeployment.Cluster"/> and <see cref="PoolDeployment.LocalProcesses"/>.</summary>
internal static class DistributedDeployment
{
    /// <summary>The start of the one line a node host prints on standard output once it is ready; "host:port" follows.</summary>
    public const string NodeReadyLine = "ActorPool node ready at ";

    /// <summary>Checks the options a distributed pool needs; returns the seed nodes' addresses (empty for LocalProcesses, which ignores <see cref="PoolOptions.SeedNodes"/>).</summary>
    public static Address[] Validate(PoolOptions options)
    {
        if (options.Routing != PoolRouting.WorkPulling)
            throw new ArgumentOutOfRangeException("options.Routing", options.Routing,
                "A distributed pool always routes by work pulling: it tracks every chunk in flight, so work on a node that dies is sent again.");
        if (options.ActorSystem is not null)
            throw new ArgumentException("A distributed pool creates its own cluster member; ActorSystem must be null.", "options.ActorSystem");
        if (options.Port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException("options.Port", options.Port, "Port must be 0 (a free port) to 65535.");
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Hostname, "options.Hostname");
        if (options.Deployment == PoolDeployment.Cluster)
        {
            ArgumentNullException.ThrowIfNull(options.SeedNodes, "options.SeedNodes");
            if (options.SeedNodes.Count == 0)
                throw new ArgumentException("A Cluster deployment needs at least one seed node, \"host:port\".", "options.SeedNodes");
        }
        if (options.Deployment == PoolDeployment.LocalProcesses && options.NodeHostPath is { } nodeHost)
            ValidateNodeHost(nodeHost);
        if (options.Deployment == PoolDeployment.LocalProcesses)
            return []; // its cluster is its own processes: SeedNodes is ignored, as documented
        return options.SeedNodes.Select(seed => ParseSeed(seed, TrustOf(options) is not null)).ToArray();
    }

    /// <summary>
    /// The trust of a <see cref="PoolDeployment.Cluster"/> pool: null without a certificate, which
    /// only a pool on loopback, or one told <see cref="PoolOptions.AllowInsecure"/>, may do. The
    /// check comes before anything listens.
    /// </summary>
    public static PeerTrust? TrustOf(PoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.TrustedThumbprints, "options.TrustedThumbprints");
        if (options.Certificate is { } certificate)
            return PeerTrust.Create(certificate, options.TrustedThumbprints, "options.Certificate", "options.TrustedThumbprints");
        if (!options.AllowInsecure && !LoopbackHost.Is(options.Hostname))
            throw new ArgumentException($"Hostname '{options.Hostname}' is not a loopback address, and without a Certificate{PlainTcpOffLoopback}", "options.Certificate");
        return null;
    }

    /// <summary>
    /// Refuses plain TCP off loopback in <paramref name="effective"/>, the configuration a
    /// <see cref="PoolDeployment.Cluster"/> pool without a certificate creates its system with,
    /// unless <see cref="PoolOptions.AllowInsecure"/>: the configuration of
    /// <see cref="PoolOptions.SystemSetup"/> goes over the pool's own, and may move its address
    /// where <see cref="TrustOf"/>, which reads <see cref="PoolOptions.Hostname"/>, does not look.
    /// Called before the system is created, so nothing has listened.
    /// </summary>
    public static void RefusePlainTcpOffLoopback(PoolOptions options, Config effective)
    {
        if (!options.AllowInsecure && LoopbackHost.OffLoopback(effective) is { } setting)
            throw new ArgumentException($"SystemSetup sets {setting}, not a loopback address, and without a Certificate{PlainTcpOffLoopback}", "options.Certificate");
    }

    private const string PlainTcpOffLoopback =
        " anyone who can reach the port could join the cluster and run or read its work, in plain text. Set Certificate (TLS with mutual "
        + "authentication; the nodes take it with --certificate), or set AllowInsecure to use plain TCP on a network you trust.";

    /// <summary>The initializer a distributed pool's workers run, checked to travel: for a closure, a copy holding its values as they are now.</summary>
    /// <exception cref="ArgumentException">It cannot travel; the message names <c>options.Initializer</c> and says why.</exception>
    public static Action? Initializer(PoolOptions options) =>
        options.Initializer is { } initializer
            ? WireFunction.Freeze(initializer, "options.Initializer",
                "The Initializer runs in every worker of the other processes: make it static, or a lambda that captures only variables "
                + "whose values can travel (read when the pool is made); it can also take what it needs from static fields or the environment.")
            : null;

    /// <summary>The name of the node host's assembly, which <see cref="PoolOptions.NodeHostPath"/> must name.</summary>
    public const string NodeHostAssembly = "ActorPool.Node";

    /// <summary>Refuses a node host path that is not the node host, now, instead of after the no-worker timeout.</summary>
    private static void ValidateNodeHost(string path)
    {
        if (!File.Exists(path))
            throw new ArgumentException($"NodeHostPath '{path}' does not exist; it must name {NodeHostAssembly}.dll.", "options.NodeHostPath");
        string? name;
        try
        {
            name = System.Reflection.AssemblyName.GetAssemblyName(path).Name;
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"NodeHostPath '{path}' is not a .NET assembly; it must name {NodeHostAssembly}.dll.", "options.NodeHostPath", ex);
        }
        if (name != NodeHostAssembly)
            throw new ArgumentException($"NodeHostPath '{path}' is the assembly {name}, not the node host {NodeHostAssembly}.", "options.NodeHostPath");
    }

    /// <summary>Parses <c>"host:port"</c> into the address of a cluster member, over TLS (<see cref="TlsSetup"/>) or plain TCP.</summary>
    public static Address ParseSeed(string seed, bool tls)
    {
        if (seed is null || !IPEndPoint.TryParse(seed, out _) && !TryHostPort(seed))
            throw new ArgumentException($"Seed node '{seed}' is not \"host:port\".", "options.SeedNodes");
        var colon = seed.LastIndexOf(':');
        return new Address(tls ? TlsSetup.Protocol : TlsSetup.PlainProtocol, ClusterNames.SystemName, seed[..colon], int.Parse(seed[(colon + 1)..]));
    }

    public static Config DriverConfig(PoolOptions options) => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = "{{options.Hostname}}"
        akka.remote.dot-netty.tcp.port = {{options.Port}}
        akka.cluster.roles = ["{{ClusterNames.DriverRole}}"]
        """).WithFallback(options.Deployment == PoolDeployment.LocalProcesses
            // The pool's own processes are stopped before its system is: there is no one left to
            // leave gracefully, and waiting for unreachable members to agree would only stall Join.
            ? ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off")
            : Config.Empty).WithFallback(WireFence.Get());

    /// <summary>How long a stopping driver waits for a join still under way to be answered, so that it can leave.</summary>
    private static readonly TimeSpan JoinSettleLimit = TimeSpan.FromSeconds(2);

    /// <summary>Joins the seed nodes, or, with none, starts a cluster of this process alone that nodes join.</summary>
    /// <remarks>
    /// A system that stops while its join is under way runs Akka's leave before it is a member (the
    /// leave then has nothing to do) and can be welcomed a moment later: a member that is gone,
    /// unreachable and Up, which holds the whole cluster back until it is downed. So the driver's
    /// shutdown first waits, up to <see cref="JoinSettleLimit"/>, for the join to be answered,
    /// and then leaves as a member does. Only a join that is never answered (no seed reachable)
    /// costs the wait.
    /// </remarks>
    public static void Join(ActorSystem system, Address[] seeds)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "actorpool-finish-joining", async () =>
        {
            var start = Stopwatch.GetTimestamp();
            // Removed is what the read view says of this member before any gossip names it.
            while (cluster.SelfMember.Status == MemberStatus.Removed && !cluster.IsTerminated
                   && Stopwatch.GetElapsedTime(start) < JoinSettleLimit)
                await Task.Delay(10).ConfigureAwait(false);
            return Done.Instance;
        });
        if (seeds.Length == 0)
            cluster.Join(cluster.SelfAddress);
        else
            cluster.JoinSeedNodes(seeds);
    }

    private static bool TryHostPort(string seed)
    {
        var colon = seed.LastIndexOf(':');
        return colon > 0 && int.TryParse(seed[(colon + 1)..], out var port) && port is > 0 and <= 65535;
    }
}
