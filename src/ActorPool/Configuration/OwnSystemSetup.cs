using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

namespace ActorPool.Configuration;

/// <summary>The setup of an ActorSystem a pool creates itself: its own configuration, under what <see cref="PoolOptions.SystemSetup"/> adds.</summary>
internal static class OwnSystemSetup
{
    // The process's signals are the application's, not the pool's. Akka's CLR hook takes SIGTERM
    // and Ctrl-C for its system: it cancels the signal, runs its coordinated shutdown, and leaves
    // the process running; an application not waiting on its pool then never exits, and a Generic
    // Host's pool is terminated before the host can close it gracefully. Without the hook, the
    // signal does what it does in any .NET application (or what the host makes of it), and the
    // pool's worker processes, which watch their parent, end with the process.
    private static readonly Config PoolOnly = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off");

    /// <summary>
    /// <paramref name="config"/> with the Config of <paramref name="extra"/>'s <see cref="BootstrapSetup"/>
    /// over it, and <paramref name="extra"/>'s other setups, then <paramref name="more"/>.
    /// </summary>
    public static ActorSystemSetup Create(Config config, ActorSystemSetup? extra, params Setup[] more)
    {
        var given = extra?.Get<BootstrapSetup>() is { HasValue: true } bootstrap && bootstrap.Value.Config.HasValue
            ? bootstrap.Value.Config.Value
            : null;
        var own = PoolOnly.WithFallback(config);
        var setup = (extra ?? ActorSystemSetup.Empty).And(BootstrapSetup.Create().WithConfig(given is null ? own : given.WithFallback(own)));
        foreach (var one in more)
            setup = setup.And(one);
        return setup;
    }

    /// <summary><paramref name="setup"/> (made by <see cref="Create"/>) with <paramref name="config"/> over its configuration, <see cref="PoolOptions.SystemSetup"/>'s included: what the pool decides whatever it is given.</summary>
    public static ActorSystemSetup Over(ActorSystemSetup setup, Config config) =>
        setup.And(BootstrapSetup.Create().WithConfig(config.WithFallback(setup.Get<BootstrapSetup>().Value.Config.Value)));
}
