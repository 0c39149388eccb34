using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using ActorPool.Configuration;
using ActorPool.Deployment;
using ActorPool.Protocol;
using ActorPool.Remote;
using ActorPool.Remote.Plane;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorPool.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorPool.Node;

/// <summary>
/// Runs a node: an ActorSystem on the .NET Generic Host (Akka.Hosting), joined to the pool's
/// cluster, with a <see cref="NodeActor"/> hosting the workers. On SIGTERM or Ctrl-C the host
/// stops the system through Akka's coordinated shutdown, which leaves the cluster gracefully:
/// pools see the node leave and send the work it held to other workers.
/// </summary>
internal static class NodeHost
{
    public static async Task<int> RunAsync(NodeHostOptions options, CancellationToken cancellation)
    {
        if (options.Workers < 1)
        {
            await Console.Error.WriteLineAsync($"--workers must be at least 1, not {options.Workers}.").ConfigureAwait(false);
            return 2;
        }
        if (options.Port is < 0 or > 65535)
        {
            await Console.Error.WriteLineAsync($"--port must be 0 (a free port) to 65535, not {options.Port}.").ConfigureAwait(false);
            return 2;
        }
        Akka.Actor.Address[] seeds;
        PeerTrust? trust;
        Config? fileConfig;
        TimeSpan? downDriversAfter;
        Process? parent = null;
        try
        {
            if (options.ParentPid is { } pid)
                parent = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            await Console.Error.WriteLineAsync($"--parent-pid {options.ParentPid}: no such process; it has exited already.").ConfigureAwait(false);
            return 2;
        }
        try
        {
            trust = NodeCertificate.Load(options); // before anything listens
            seeds = options.Seeds.Select(seed => DistributedDeployment.ParseSeed(seed, tls: trust is not null)).ToArray();
            fileConfig = options.Config is null ? null : ConfigurationFactory.ParseString(await File.ReadAllTextAsync(options.Config.FullName, cancellation).ConfigureAwait(false));
            var settings = fileConfig is null ? ReferenceConfig.Get() : fileConfig.WithFallback(ReferenceConfig.Get());
            downDriversAfter = DriverDowning.Grace(settings);
            NodeQueue.LimitOf(settings); // checked here, so that a wrong one stops the node before it serves
            TlsSettings.Of(settings); // likewise: read when the transport or the data plane starts, a wrong one would fail their start
            PlaneListener.PortOf(settings);
            PoolSettings.AsyncItemsPerWorkerOf(settings); // read by the node's actor as it starts, which a wrong one would stop
            PoolSettings.IdleSpinOf(settings);
            foreach (var assembly in options.Load)
                FunctionRef.Trust(Assembly.LoadFrom(assembly.FullName));
            if (trust is null) // plain TCP: only on loopback, as the system will be configured, file and all
                NodeCertificate.RefusePlainTcpOffLoopback(options, EffectiveConfig(Configure));
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or BadImageFormatException or ConfigurationException)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        // The node's system, as the host creates it; EffectiveConfig reads what it makes of it first.
        void Configure(AkkaConfigurationBuilder akka)
        {
            akka.WithActorPoolLogging(); // as a hosted pool's: Akka's logs to ILogger, ActorPool's under ActorPool.* categories
            if (fileConfig is not null)
                akka.AddHocon(fileConfig, HoconAddMode.Prepend);
            akka.AddHocon(WireFence.Get(), HoconAddMode.Append); // what a peer can make this node deserialize
            if (trust is not null)
            {
                akka.AddHocon(TlsSetup.Config, HoconAddMode.Prepend); // over the file: the certificate decides
                akka.AddSetup(new TlsSetup(trust));
                akka.AddSetup(TlsTransport.QuietRetries(new Akka.Event.LogFilterBuilder()).Build());
            }
            akka.AddHocon(OwnSystemConfig.Get(), HoconAddMode.Append);
            akka.AddHocon(ReferenceConfig.Get(), HoconAddMode.Append);
            akka.WithRemoting(options.Hostname, options.Port);
            akka.WithClustering(new ClusterOptions
            {
                // The downing role marks the node hosts that down dead drivers, among which one decides.
                Roles = downDriversAfter is null ? [options.Role] : [options.Role, DriverDowning.Role],
                SeedNodes = seeds.Select(seed => seed.ToString()).ToArray(),
            });
            akka.WithActors((system, _) =>
            {
                system.ActorOf(NodeActor.Props(options.Workers, options.ReplaceByExit), ClusterNames.NodeActor);
                if (downDriversAfter is { } grace)
                    system.ActorOf(DriverDowning.Props(grace), DriverDowning.Name);
                var cluster = Akka.Cluster.Cluster.Get(system);
                if (seeds.Length == 0)
                    cluster.Join(cluster.SelfAddress); // the first node: a cluster of its own, for others to join
                Console.Out.WriteLine($"{DistributedDeployment.NodeReadyLine}{cluster.SelfAddress.Host}:{cluster.SelfAddress.Port}");
                Console.Out.Flush();
            });
        }

        // A stop that was asked for (SIGTERM, Ctrl-C) leaves the cluster gracefully and hands the
        // node's work back. A process exit that was not asked for comes from user code (a task
        // that calls Environment.Exit): that is a task killing its worker, so the node dies at once,
        // without the graceful leave, and pools count the loss against the task. This handler is
        // registered before the host's own, so it runs first.
        var stopAsked = 0;
        using var onSigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Volatile.Write(ref stopAsked, 1));
        using var onSigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Volatile.Write(ref stopAsked, 1));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Volatile.Read(ref stopAsked) == 0)
                Process.GetCurrentProcess().Kill();
        };

        if (parent is not null)
            ParentWatch.Start(parent);

        var builder = Host.CreateApplicationBuilder();
        NodeLogging.Configure(builder.Logging);
        builder.Services.AddAkka(ClusterNames.SystemName, Configure);
        await builder.Build().RunAsync(cancellation).ConfigureAwait(false);
        Volatile.Write(ref stopAsked, 1); // the host stopped (shutdown asked for, or the node was removed): exit normally
        return 0;
    }

    /// <summary>
    /// The configuration <paramref name="configure"/> gives the node's system, every layer merged
    /// as Akka.Hosting merges them (the command line's over the file's): read from a builder of its
    /// own that nothing starts, so that it can be checked before anything listens.
    /// </summary>
    private static Config EffectiveConfig(Action<AkkaConfigurationBuilder> configure)
    {
        var probe = new AkkaConfigurationBuilder(new ServiceCollection(), ClusterNames.SystemName);
        configure(probe);
        return probe.Configuration.GetOrElse(Config.Empty);
    }
}
