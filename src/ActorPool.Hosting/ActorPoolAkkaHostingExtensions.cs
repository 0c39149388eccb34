using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPool.Hosting;

/// <summary>Runs an ActorPool <see cref="Pool"/> in the ActorSystem of Akka.Hosting.</summary>
public static class ActorPoolAkkaHostingExtensions
{
    /// <summary>The coordinated-shutdown phase, ahead of Akka's first, in which a pool started by <see cref="WithActorPool"/> closes and joins.</summary>
    public const string ClosePhase = "actorpool-close";

    private static readonly Config ClosePhaseConfig = ConfigurationFactory.ParseString($$"""
        akka.coordinated-shutdown.phases {
          {{ClosePhase}} { timeout = 30s }
          {{CoordinatedShutdown.PhaseBeforeServiceUnbind}}.depends-on = [{{ClosePhase}}]
        }
        """);

    /// <summary>
    /// Starts a <see cref="Pool"/> with the host's ActorSystem and registers its router in the
    /// <see cref="ActorRegistry"/> under <see cref="Pool"/> (<c>registry.Get&lt;Pool&gt;()</c>,
    /// <c>IRequiredActor&lt;Pool&gt;</c>), where actors can send it <see cref="MapRequest{T, TResult}"/>
    /// and <see cref="ApplyRequest{TResult}"/>. An in-process pool runs in that system; a distributed
    /// one in a system of its own that logs to the host's <c>ILoggerFactory</c>. If
    /// <c>AddActorPool</c> registered a pool, that pool is the one started (give the options there);
    /// otherwise one is made from <paramref name="options"/>, or with none from the configuration
    /// section <c>ActorPool</c>, as <c>AddActorPool</c> reads it. Akka's logs go to
    /// <c>ILogger</c>, ActorPool's under <c>ActorPool.*</c> categories (<see cref="ActorPoolLogging.WithActorPoolLogging"/>).
    /// When the host stops, the pool closes and joins: submitted work finishes, in the coordinated
    /// shutdown phase <see cref="ClosePhase"/> (which runs before Akka's first and takes at most
    /// 30 s: <c>akka.coordinated-shutdown.phases.actorpool-close.timeout</c>), or earlier, within
    /// the host's shutdown timeout, when <c>AddActorPool</c> registered the pool.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="options">Makes the pool's options; default: null, the pool <c>AddActorPool</c> registered, or the <c>ActorPool</c> section.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <remarks>With <c>AddActorPool</c>, give the options there: <paramref name="options"/> given here too fails the system's start with an <see cref="InvalidOperationException"/>.</remarks>
    public static AkkaConfigurationBuilder WithActorPool(this AkkaConfigurationBuilder builder, Func<IServiceProvider, PoolOptions>? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithActorPoolLogging()
            .AddHocon(ClosePhaseConfig, HoconAddMode.Prepend)
            .WithActors((system, registry, resolver) =>
            {
                var services = resolver.GetService<IServiceProvider>();
                var registered = services.GetService<HostedPool>();
                if (registered is not null && options is not null)
                    throw new InvalidOperationException("AddActorPool registered the pool: give its options to AddActorPool, not to WithActorPool.");
                var hosted = registered ?? new HostedPool(services, options);
                var pool = hosted.Pool;
                registry.TryRegister<Pool>(pool.Router); // a pool in a system of its own is not registered when it is created
                CoordinatedShutdown.Get(system).AddTask(ClosePhase, "actorpool-close-and-join", async () =>
                {
                    await hosted.CloseAsync(CancellationToken.None).ConfigureAwait(false);
                    return Done.Instance;
                });
            });
    }
}
