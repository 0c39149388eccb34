using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Remote;
using DotNetty.Common;
using DotNetty.Common.Concurrency;
using DotNetty.Transport.Channels;

namespace ActorPool.Remote;

/// <summary>
/// What Akka.Remote leaves holding an ActorSystem after it has terminated, released at once. Without
/// this a disposed <see cref="PoolDeployment.LocalProcesses"/> pool's system, with its cluster state
/// and buffers (about 7 MB), stayed reachable for about 22 s, and four socket threads ran on for 15 s:
/// <list type="bullet">
/// <item>Remote serialization caches actor references per thread (<c>ThreadLocal</c> values of the
/// system's <c>ActorRefResolveThreadLocalCache</c>, which reach the system through its provider).
/// Every thread-pool thread that deserialized a message keeps its value, and so the system, until
/// the thread retires after 20 s idle. Disposing the <c>ThreadLocal</c> drops every thread's value.</item>
/// <item>The DotNetty transport shuts its event loop groups down with DotNetty's defaults (2 s quiet
/// period, 15 s timeout) and does not wait; in DotNetty 0.7 a loop that is shutting down wakes itself
/// every 100 ms, so it is never quiet and always runs to the timeout.</item>
/// </list>
/// </summary>
/// <remarks>
/// Akka exposes none of this, so it is found by reflection while the system runs (<see cref="Of"/>)
/// and released once the system has terminated (<see cref="ReleaseAsync"/>): the system's own
/// transport shutdown has closed every channel and nothing of it runs any more. A step that does not
/// find what it expects (another Akka or DotNetty version) finds nothing, and the remains go on their
/// own schedule, as before.
/// </remarks>
internal sealed class RemotingRemains
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly TimeSpan EndLimit = TimeSpan.FromSeconds(5);

    /// <summary>The system's per-thread caches that reach back to it.</summary>
    private static readonly string[] ThreadLocalCaches =
    [
        "Akka.Remote.Serialization.ActorRefResolveThreadLocalCache, Akka.Remote",
        "Akka.Remote.Serialization.ActorPathThreadLocalCache, Akka.Remote",
        "Akka.Remote.Serialization.AddressThreadLocalCache, Akka.Remote",
    ];

    // The groups are held as objects, and DotNetty's types are named only inside methods that are
    // called within a try: should those types ever differ, loading them fails there and is caught,
    // instead of failing the pool's Dispose before its system is terminated.
    private readonly IReadOnlyList<IDisposable> _caches;
    private readonly IReadOnlyList<object> _loops;

    private RemotingRemains(IReadOnlyList<IDisposable> caches, IReadOnlyList<object> loops)
    {
        _caches = caches;
        _loops = loops;
    }

    /// <summary>Finds what <paramref name="system"/>'s remoting will leave behind, while it runs; never throws.</summary>
    public static RemotingRemains Of(ActorSystem system)
    {
        try
        {
            if (((ExtendedActorSystem)system).Provider is not IRemoteActorRefProvider remote)
                return new RemotingRemains([], []);
            var caches = ThreadLocalCaches
                .Select(name => Type.GetType(name, throwOnError: false))
                .Select(type => type is not null && system.TryGetExtension(type, out var cache) ? Field(cache, "_current") : null)
                .OfType<IDisposable>()
                .ToList();
            var loops = new List<object>();
            if (Field(remote.Transport, "_transportMapping") is IDictionary mapping)
            {
                foreach (var pairs in mapping.Values.OfType<IEnumerable>())
                    foreach (var pair in pairs)
                        loops.AddRange(LoopsUnder(pair?.GetType().GetProperty("ProtocolTransport", Instance)?.GetValue(pair)));
            }
            return new RemotingRemains(caches, loops);
        }
        catch (Exception)
        {
            return new RemotingRemains([], []);
        }
    }

    /// <summary>
    /// Releases the remains of a terminated system: its socket threads, which this waits for (at
    /// most 5 s) rather than 15 s later, then its per-thread caches, once nothing of the system
    /// runs any more. Never throws.
    /// </summary>
    public async Task ReleaseAsync()
    {
        try
        {
            if (_loops.Count > 0)
                await EndLoops(_loops).WaitAsync(EndLimit).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var cache in _caches)
                cache.Dispose();
        }
        catch (Exception)
        {
            // Another version's internals: the remains go on their own schedule, as they always did.
        }
    }

    /// <summary>Makes each loop end on its next pass; completes when every loop has ended.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task EndLoops(IReadOnlyList<object> loops)
    {
        var groups = loops.OfType<IEventLoopGroup>().ToList();
        foreach (var loop in groups.SelectMany(group => group.Items).OfType<SingleThreadEventExecutor>())
        {
            // Read by the loop on each pass of its shutdown check: zero ends it on the next pass.
            SetField(loop, "gracefulShutdownQuietPeriod", PreciseTimeSpan.Zero);
            SetField(loop, "gracefulShutdownTimeout", PreciseTimeSpan.Zero);
        }
        return Task.WhenAll(groups.Select(group => group.TerminationCompletion));
    }

    /// <summary>Follows a chain of transport adapters down to the DotNetty transport and its two event loop groups.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IEnumerable<object> LoopsUnder(object? transport)
    {
        for (var depth = 0; transport is not null && depth < 8; depth++)
        {
            var server = Field(transport, "_serverEventLoopGroup") as IEventLoopGroup;
            var client = Field(transport, "_clientEventLoopGroup") as IEventLoopGroup;
            if (server is not null || client is not null)
                return new object?[] { server, client }.OfType<object>();
            transport = Field(transport, "_wrappedTransport") ?? Field(transport, "WrappedTransport");
        }
        return [];
    }

    private static FieldInfo? FindField(Type? type, string name)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (type.GetField(name, Instance | BindingFlags.DeclaredOnly) is { } field)
                return field;
        }
        return null;
    }

    private static object? Field(object target, string name) => FindField(target.GetType(), name)?.GetValue(target);

    private static void SetField(object target, string name, object value)
    {
        if (FindField(target.GetType(), name) is { } field && field.FieldType == value.GetType())
            field.SetValue(target, value);
    }
}
