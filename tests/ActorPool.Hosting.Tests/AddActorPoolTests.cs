using ActorPool.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorPool.Hosting.Tests;

public sealed class AddActorPoolTests
{
    [Fact]
    public async Task AddActorPool_NoOptions_ReadsTheActorPoolSection()
    {
        var builder = TestHost.Builder(configuration: new Dictionary<string, string?>
        {
            ["ActorPool:Processes"] = "3",
            ["ActorPool:Name"] = "web",
            ["ActorPool:Routing"] = "roundrobin",
        });
        builder.Services.AddActorPool();
        using var host = builder.Build();
        await host.StartAsync();

        var pool = host.Services.GetRequiredService<Pool>();

        Assert.Equal(3, pool.Processes);
        Assert.Equal("web", pool.Name);
        Assert.Equal([1, 4, 9], pool.Map(Square, [1, 2, 3]));
        Assert.Same(pool, host.Services.GetRequiredService<Pool>());
        await host.StopAsync();
    }

    [Fact]
    public async Task AddActorPool_CertificateInTheSection_RunsAJobOnANodeOverTls()
    {
        // A node that speaks TLS only: a pool that did not read the certificate could never reach it.
        using var files = new TestCertificates();
        var file = files.Write(TestCertificates.Create("actorpool-hosting-cluster"));
        using var node = NodeProcess.Start(typeof(AddActorPoolTests).Assembly, arguments: ["--certificate", file], environment: TestCertificates.Environment);
        var builder = TestHost.Builder(configuration: new Dictionary<string, string?>
        {
            ["ActorPool:Deployment"] = "Cluster",
            ["ActorPool:SeedNodes"] = node.Endpoint,
            ["ActorPool:Processes"] = "1",
            ["ActorPool:Certificate:Path"] = file,
            ["ActorPool:Certificate:Password"] = TestCertificates.Password,
        });
        builder.Services.AddActorPool();
        using var host = builder.Build();
        await host.StartAsync();

        var pool = host.Services.GetRequiredService<Pool>();

        Assert.Equal([1, 4, 9], pool.Map(Square, [1, 2, 3]));
        await host.StopAsync();
    }

    [Fact]
    public void AddActorPool_BadRoutingName_FailsNamingTheKey()
    {
        var builder = TestHost.Builder(configuration: new Dictionary<string, string?> { ["ActorPool:Routing"] = "Fastest" });
        builder.Services.AddActorPool();
        using var host = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<Pool>());

        Assert.Contains("ActorPool:Routing", error.Message);
        Assert.Contains("WorkPulling", error.Message);
    }

    [Fact]
    public async Task AddActorPool_BadRoutingName_FailsTheHostsStart()
    {
        var builder = TestHost.Builder(configuration: new Dictionary<string, string?> { ["ActorPool:Routing"] = "Fastest" });
        builder.Services.AddActorPool();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("ActorPool:Routing", error.Message);
    }

    [Fact]
    public void AddActorPool_GivenOptions_UsesThemOverTheSection()
    {
        var builder = TestHost.Builder(configuration: new Dictionary<string, string?> { ["ActorPool:Processes"] = "3" });
        builder.Services.AddActorPool(_ => new PoolOptions { Processes = 2 });
        using var host = builder.Build();

        Assert.Equal(2, host.Services.GetRequiredService<Pool>().Processes);
    }

    [Fact]
    public void AddActorPool_CalledTwice_Throws()
    {
        var services = new ServiceCollection().AddActorPool();

        Assert.Throws<InvalidOperationException>(() => services.AddActorPool());
    }

    [Fact]
    public async Task HostStop_ClosesAndJoinsThePool_SubmittedWorkFinishes()
    {
        using var gate = new ManualResetEventSlim();
        var builder = TestHost.Builder();
        // Services stop in the reverse order of registration, and concurrently: the pool's lifetime
        // begins (closing the pool) before the gate opener runs, while the task is still held.
        builder.Services.Configure<HostOptions>(options => options.ServicesStopConcurrently = true);
        builder.Services.AddSingleton<IHostedService>(new GateOpener(gate));
        builder.Services.AddActorPool(_ => new PoolOptions { Processes = 1 });
        using var host = builder.Build();
        await host.StartAsync();
        var pool = host.Services.GetRequiredService<Pool>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = pool.ApplyAsync(() =>
        {
            started.SetResult();
            gate.Wait(); // held until the host has begun to stop
            return 42;
        });
        await started.Task;

        await host.StopAsync();

        Assert.True(result.Ready());
        Assert.True(result.Successful());
        Assert.Equal(42, result.Get());
        Assert.Throws<InvalidOperationException>(() => pool.Apply(() => 1)); // closed
    }

    /// <summary>Opens the gate when the host begins to stop.</summary>
    private sealed class GateOpener(ManualResetEventSlim gate) : IHostedLifecycleService
    {
        public Task StoppingAsync(CancellationToken cancellationToken)
        {
            gate.Set();
            return Task.CompletedTask;
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task HostStop_WorkOutlastsTheShutdownTimeout_PoolTerminates()
    {
        var builder = TestHost.Builder();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
        builder.Services.AddActorPool(_ => new PoolOptions { Processes = 1 });
        using var host = builder.Build();
        await host.StartAsync();
        var pool = host.Services.GetRequiredService<Pool>();
        using var gate = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = pool.ApplyAsync(() =>
        {
            started.SetResult();
            gate.Wait(PoolContext.CancellationToken); // ends when the pool terminates
            return 42;
        });
        await started.Task;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.StopAsync());

        await Assert.ThrowsAsync<PoolTerminatedException>(async () => await result);
    }

    private static int Square(int x) => x * x;
}
