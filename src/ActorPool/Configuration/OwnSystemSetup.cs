using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

namespace ActorPool.Configuration;

/// <summary>The setup of an ActorSystem a pool creates itself: its own configuration, under what <see cref="PoolOptions.SystemSetup"/> adds.</summary>
internal static class OwnSystemSetup
{
    /// <summary>
    /// <paramref name="config"/> with the Config of <paramref name="extra"/>'s <see cref="BootstrapSetup"/>
    /// over it, and <paramref name="extra"/>'s other setups, then <paramref name="more"/>.
    /// </summary>
    public static ActorSystemSetup Create(Config config, ActorSystemSetup? extra, params Setup[] more)
    {
        var given = extra?.Get<BootstrapSetup>() is { HasValue: true } bootstrap && bootstrap.Value.Config.HasValue
            ? bootstrap.Value.Config.Value
            : null;
        var setup = (extra ?? ActorSystemSetup.Empty).And(BootstrapSetup.Create().WithConfig(given is null ? config : given.WithFallback(config)));
        foreach (var one in more)
            setup = setup.And(one);
        return setup;
    }
}
