using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPool.Hosting.Tests;

public sealed class WithActorPoolTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WithActorPool_PoolRunsInTheHostsActorSystem_RouterInRegistry()
    {
        var builder = TestHost.Builder();
        builder.Services.AddAkka("host-system", akka => akka.WithActorPool());
        builder.Services.AddActorPool(_ => new PoolOptions { Processes = 2 });
        using var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var pool = host.Services.GetRequiredService<Pool>();

        var registered = await ActorRegistry.For(system).GetAsync<Pool>();

        Assert.Same(pool.Router, registered);
        Assert.Equal(pool.Router, await system.ActorSelection(pool.Router.Path).ResolveOne(Limit)); // an actor of the host's system
        Assert.Equal([1, 4, 9], pool.Map(Square, [1, 2, 3]));
        await host.StopAsync();
    }

    [Fact]
    public async Task WithActorPool_Alone_StartsAPoolWhoseRouterAnswersRequests()
    {
        var builder = TestHost.Builder(configuration: new Dictionary<string, string?> { ["ActorPool:Processes"] = "2" });
        builder.Services.AddAkka("host-system", akka => akka.WithActorPool());
        using var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();

        var router = await ActorRegistry.For(system).GetAsync<Pool>();
        var squares = await router.Ask<IReadOnlyList<int>>(new MapRequest<int, int>(Square, [1, 2, 3]), Limit);

        Assert.Equal([1, 4, 9], squares);
        Assert.Equal(router, await system.ActorSelection(router.Path).ResolveOne(Limit));
        await host.StopAsync();
    }

    [Fact]
    public async Task AddActorPool_UnderAkkaHosting_PoolRunsInTheHostsActorSystem()
    {
        var builder = TestHost.Builder();
        builder.Services.AddAkka("host-system", _ => { });
        builder.Services.AddActorPool(_ => new PoolOptions { Processes = 1 });
        using var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();

        var pool = host.Services.GetRequiredService<Pool>();

        Assert.Same(pool.Router, await ActorRegistry.For(system).GetAsync<Pool>());
        Assert.Equal(pool.Router, await system.ActorSelection(pool.Router.Path).ResolveOne(Limit));
        await host.StopAsync();
    }

    [Fact]
    public async Task Hosted_LogsUseActorPoolCategories()
    {
        var logs = new CapturingLoggerProvider();
        var builder = TestHost.Builder(logs);
        builder.Services.AddAkka("host-system", akka => akka.WithActorPool());
        builder.Services.AddActorPool(_ => new PoolOptions { Processes = 1 });
        using var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var pool = host.Services.GetRequiredService<Pool>();

        // A callback that throws is logged by the pool, and the pool carries on.
        pool.ApplyAsync(() => 1, callback: _ => throw new InvalidOperationException("callback broke")).Wait();
        Logging.GetLogger(system, "test").Warning("an Akka log line");

        var poolLine = await logs.WaitForAsync(entry => entry.Exception?.Message == "callback broke");
        Assert.Equal("ActorPool.Pool", poolLine.Category);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, poolLine.Level);
        var akkaLine = await logs.WaitForAsync(entry => entry.Message.Contains("an Akka log line"));
        Assert.StartsWith("Akka.", akkaLine.Category); // Akka's own logs reach ILogger too, under Akka.Hosting's category
        await host.StopAsync();
    }

    private static int Square(int x) => x * x;
}
