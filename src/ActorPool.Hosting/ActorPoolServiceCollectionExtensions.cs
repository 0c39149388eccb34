using ActorPool;
using ActorPool.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers an ActorPool <see cref="Pool"/> with the .NET Generic Host.</summary>
public static class ActorPoolServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="Pool"/> as a singleton, created when the host starts (or when it is first
    /// injected, if that comes first), so that options that cannot be read fail the start. With no
    /// <paramref name="options"/>, its options come from the configuration section <c>ActorPool</c>
    /// (<c>appsettings.json</c>: <c>Processes</c>, <c>Routing</c> and <c>Deployment</c> by name,
    /// <c>SeedNodes</c> as an array of <c>"host:port"</c>, <c>Hostname</c>, <c>Port</c>,
    /// <c>WorkerRole</c>, <c>Name</c>, <c>MaxTasksPerChild</c>, <c>MaxWorkerLosses</c>,
    /// <c>NoWorkerTimeout</c>, <c>NodeHostPath</c>, <c>JournalPath</c>, <c>Certificate:Path</c> (a
    /// PKCS#12 file, relative to the content root) and <c>Certificate:Password</c> (default: the
    /// <c>ACTORPOOL_CERTIFICATE_PASSWORD</c> environment variable, as node hosts read it, else none),
    /// <c>TrustedThumbprints</c> as <c>SeedNodes</c>, <c>AllowInsecure</c>); an option left out keeps
    /// its default, and a value that cannot be read fails the pool's creation (the host's start) naming its key
    /// (<c>ActorPool:Routing</c>). When the host runs Akka.Hosting, an in-process pool runs in the
    /// host's ActorSystem and its router is in the <c>ActorRegistry</c> under <see cref="Pool"/>;
    /// otherwise the pool's own system logs to the host's <c>ILoggerFactory</c>. When the host
    /// stops, the pool closes and joins: submitted work finishes, within the host's shutdown timeout,
    /// after which what is left fails with <see cref="PoolTerminatedException"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">Makes the pool's options; default: null, read the <c>ActorPool</c> section.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A pool is registered already.</exception>
    public static IServiceCollection AddActorPool(this IServiceCollection services, Func<IServiceProvider, PoolOptions>? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(service => service.ServiceType == typeof(HostedPool)))
            throw new InvalidOperationException("AddActorPool was called already: a host has one pool.");
        services.AddSingleton(provider => new HostedPool(provider, options));
        services.AddSingleton(provider => provider.GetRequiredService<HostedPool>().Pool);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PoolLifetime>());
        return services;
    }
}
