using Akka.Actor;
using Akka.Event;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using MelLogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace ActorPool.Hosting;

/// <summary>
/// An Akka.NET logger that sends log events to the <see cref="ILoggerFactory"/> of Akka.Hosting's
/// <see cref="LoggerFactorySetup"/>: ActorPool's own events under the name of the class that logged
/// them (<c>ActorPool.Pool</c>, <c>ActorPool.Routing.WorkPullingRouter</c>,
/// <c>ActorPool.Deployment.LocalNodes</c>, ...), every other event as Akka.Hosting's
/// <see cref="LoggerFactoryLogger"/> does (category <c>Akka.Actor.ActorSystem</c>).
/// <c>WithActorPool</c> and <c>WithActorPoolLogging</c> install it; with your own
/// <c>ConfigureLoggers</c>, add it with <c>AddLogger&lt;ActorPoolLogger&gt;()</c> in place of
/// <c>AddLoggerFactory()</c>.
/// </summary>
public sealed class ActorPoolLogger : LoggerFactoryLogger
{
    private readonly ILoggerFactory _factory;
    private readonly LogFilterEvaluator _filter;
    private readonly Dictionary<Type, ILogger> _loggers = new();

    /// <summary>Created by Akka.NET from <c>akka.loggers</c>; needs a <see cref="LoggerFactorySetup"/> in the system's setup, as Akka.Hosting adds.</summary>
    public ActorPoolLogger()
    {
        _factory = Context.System.Settings.Setup.Get<LoggerFactorySetup>().Value.LoggerFactory; // the base constructor refused a system without one
        _filter = Context.System.Settings.LogFilter;
    }

    /// <summary>
    /// Logs <paramref name="log"/> under <c>ActorPool.*</c> if ActorPool logged it, else as Akka.Hosting does;
    /// nothing that the system's log filters (<see cref="LogFilterSetup"/>) leave out, which Akka's own loggers honour and Akka.Hosting's does not.
    /// </summary>
    protected override void Log(LogEvent log, ActorPath path)
    {
        if (!_filter.ShouldTryKeepMessage(log, out _))
            return;
        if (log.LogClass is not { } type || Category(type) is not { } category)
        {
            base.Log(log, path);
            return;
        }
        if (!_loggers.TryGetValue(type, out var logger))
            _loggers[type] = logger = _factory.CreateLogger(category);
        logger.Log(Level(log.LogLevel()), default, log, log.Cause, static (entry, _) => entry.Message?.ToString() ?? "");
    }

    /// <summary>The category of what <paramref name="type"/> logs: its full name without generic arguments, for ActorPool's types; null for others.</summary>
    internal static string? Category(Type type)
    {
        var name = (type.IsGenericType ? type.GetGenericTypeDefinition() : type).FullName;
        if (name is null || !name.StartsWith("ActorPool.", StringComparison.Ordinal))
            return null;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick < 0 ? name : name[..tick]).Replace('+', '.');
    }

    private static MelLogLevel Level(Akka.Event.LogLevel level) => level switch
    {
        Akka.Event.LogLevel.DebugLevel => MelLogLevel.Debug,
        Akka.Event.LogLevel.InfoLevel => MelLogLevel.Information,
        Akka.Event.LogLevel.WarningLevel => MelLogLevel.Warning,
        _ => MelLogLevel.Error,
    };
}
