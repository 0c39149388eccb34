using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorPool.Hosting;

/// <summary>
/// The pool of a host, created when it is first asked for (when the host starts, by injection, or
/// at the start of the host's ActorSystem with <c>WithActorPool</c>), and closed and joined when the host stops.
/// </summary>
/// <remarks>
/// Where it runs: in the host's ActorSystem when Akka.Hosting runs one (an in-process pool given no
/// <see cref="PoolOptions.ActorSystem"/>), its router then in the <see cref="ActorRegistry"/> under
/// <see cref="Pool"/>; else in a system of its own that logs to the host's
/// <see cref="ILoggerFactory"/> (<see cref="ActorPoolLogging.OwnSystemSetup"/>).
/// </remarks>
internal sealed class HostedPool
{
    private readonly IServiceProvider _services;
    private readonly Func<IServiceProvider, PoolOptions>? _options;
    private readonly Lazy<Pool> _pool;

    public HostedPool(IServiceProvider services, Func<IServiceProvider, PoolOptions>? options)
    {
        _services = services;
        _options = options;
        _pool = new Lazy<Pool>(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The pool, created at the first call.</summary>
    public Pool Pool => _pool.Value;

    /// <summary>
    /// Closes and joins the pool, if it was created: submitted work finishes. If
    /// <paramref name="cancellationToken"/> is cancelled first (the host's shutdown timeout), the
    /// pool terminates: what has not finished fails with <see cref="PoolTerminatedException"/>.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (!_pool.IsValueCreated)
            return;
        var pool = _pool.Value;
        try
        {
            await pool.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            pool.Terminate();
            throw;
        }
    }

    private Pool Create()
    {
        var options = _options is not null
            ? _options(_services) ?? throw new InvalidOperationException("The options function given to AddActorPool or WithActorPool returned null.")
            : _services.GetService<IConfiguration>() is { } configuration
                ? PoolConfiguration.Read(configuration.GetSection(PoolConfiguration.SectionName), _services.GetService<IHostEnvironment>()?.ContentRootPath)
                : new PoolOptions();
        var hostSystem = _services.GetService<ActorSystem>();
        if (options.ActorSystem is null && options.Deployment == PoolDeployment.InProcess && hostSystem is not null)
            options = options.WithSystem(hostSystem, null);
        else if (options.ActorSystem is null && options.SystemSetup is null && _services.GetService<ILoggerFactory>() is { } loggers)
            options = options.WithSystem(null, ActorPoolLogging.OwnSystemSetup(loggers));
        var pool = new Pool(options);
        if (hostSystem is not null && ReferenceEquals(options.ActorSystem, hostSystem))
            ActorRegistry.For(hostSystem).TryRegister<Pool>(pool.Router);
        return pool;
    }
}
