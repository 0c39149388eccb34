using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;

namespace ActorPool.Hosting;

/// <summary>Sends Akka.NET's logs, ActorPool's among them under <c>ActorPool.*</c> categories, to <c>Microsoft.Extensions.Logging</c>.</summary>
public static class ActorPoolLogging
{
    /// <summary>Akka's loggers: <see cref="ActorPoolLogger"/> alone.</summary>
    private static readonly Config Loggers = ConfigurationFactory.ParseString(
        $"akka.loggers = [\"{typeof(ActorPoolLogger).AssemblyQualifiedName}\"]");

    /// <summary>
    /// Makes <see cref="ActorPoolLogger"/> the host ActorSystem's only logger, so that Akka's logs
    /// go to the host's <see cref="ILoggerFactory"/> (not to standard output), ActorPool's under
    /// <c>ActorPool.*</c> categories. It leaves <c>akka.loglevel</c> as it is. A later
    /// <c>ConfigureLoggers</c> replaces it: there, add <c>AddLogger&lt;ActorPoolLogger&gt;()</c>.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static AkkaConfigurationBuilder WithActorPoolLogging(this AkkaConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddHocon(Loggers, HoconAddMode.Prepend);
    }

    /// <summary>
    /// The setup that makes an ActorSystem a pool creates itself (<see cref="PoolOptions.SystemSetup"/>)
    /// log to <paramref name="loggerFactory"/> the same way.
    /// </summary>
    internal static ActorSystemSetup OwnSystemSetup(ILoggerFactory loggerFactory) =>
        BootstrapSetup.Create().WithConfig(Loggers).And(new LoggerFactorySetup(loggerFactory));
}
