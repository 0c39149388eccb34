// A user's application, run by the tests as a process of its own (tests/ActorPool.Tests/Stopping).
//   stop-app plain <InProcess|LocalProcesses>   a pool of its own runs a ten-second job
//   stop-app idle <InProcess|LocalProcesses>    a pool of its own ran a job; the app then waits, not on the pool
//   stop-app hosted                             the same inside a Generic Host, on the host's ActorSystem
//   stop-app hosted-pool <InProcess|LocalProcesses>  a Generic Host's pool (AddActorPool) runs a three-second job
//   stop-app dispose                            a LocalProcesses pool runs a Map and is disposed
//   stop-app durable <journal> <folder> <n>     a durable Map of n items of 10 ms, each leaving a file in folder; "ok" at the end
// It prints "running" once the job is under way, and "failed: <type>: <message>" when the job fails.
using ActorPool;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

switch (args[0])
{
    case "plain":
        var deployment = Enum.Parse<PoolDeployment>(args[1]);
        using (var pool = new Pool(new PoolOptions { Deployment = deployment, Processes = 2 }))
            Jobs.RunAndReport(pool);
        Console.WriteLine("disposed");
        return 0;
    case "idle":
        var idle = new Pool(new PoolOptions { Deployment = Enum.Parse<PoolDeployment>(args[1]), Processes = 2 });
        Console.WriteLine($"mapped {idle.Map(Jobs.Twice, Enumerable.Range(0, 10)).Count}");
        Console.WriteLine("running");
        await Task.Delay(Timeout.Infinite);
        return 0;
    case "hosted-pool":
        var hostBuilder = Host.CreateApplicationBuilder();
        hostBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
        var poolDeployment = Enum.Parse<PoolDeployment>(args[1]);
        hostBuilder.Services.AddActorPool(_ => new PoolOptions { Deployment = poolDeployment, Processes = 2 });
        hostBuilder.Services.AddHostedService<PoolJobService>();
        await hostBuilder.Build().RunAsync();
        Console.WriteLine("host stopped");
        return 0;
    case "hosted":
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Registered before Akka, so stopped after it: the host stops Akka's system (its
        // coordinated shutdown) while this service still waits on the job.
        builder.Services.AddHostedService<JobService>();
        builder.Services.AddAkka("stop-app", _ => { });
        await builder.Build().RunAsync();
        Console.WriteLine("host stopped");
        return 0;
    case "dispose":
        using (var pool = new Pool(new PoolOptions { Deployment = PoolDeployment.LocalProcesses, Processes = 2 }))
            Console.WriteLine($"mapped {pool.Map(Jobs.Twice, Enumerable.Range(0, 100)).Count}");
        Console.WriteLine("disposed");
        return 0;
    case "durable":
        using (var pool = new Pool(new PoolOptions { Processes = 2, JournalPath = args[1] }))
        {
            var count = int.Parse(args[3]);
            var results = pool.Map(Jobs.CountedRun, Enumerable.Range(0, count).Select(x => $"{args[2]}|{x}"), chunkSize: 1,
                options: new JobOptions { JobId = "durable" });
            Console.WriteLine(results.SequenceEqual(Enumerable.Range(0, count)) ? "ok" : "wrong results");
        }
        return 0;
    default:
        Console.Error.WriteLine($"unknown mode {args[0]}");
        return 2;
}

internal static class Jobs
{
    /// <summary>Runs a job of <paramref name="tasks"/> tasks of a second (ten seconds on two workers by default) on the pool and prints how it ended.</summary>
    public static void RunAndReport(Pool pool, int tasks = 20)
    {
        // Tasks of a second each on two workers: two run, the rest wait.
        var result = pool.MapAsync(Slow, Enumerable.Range(0, tasks), chunkSize: 1);
        Console.WriteLine("running");
        try
        {
            result.Get();
            Console.WriteLine("completed");
        }
        catch (Exception ex)
        {
            Console.WriteLine($"failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    public static int Twice(int x) => 2 * x;

    /// <summary>"folder|x": a task of 10 ms that leaves a file of its own for this run of item x, and returns x.</summary>
    public static int CountedRun(string folderAndItem)
    {
        Thread.Sleep(10);
        var split = folderAndItem.LastIndexOf('|');
        File.WriteAllText(Path.Combine(folderAndItem[..split], $"run-{folderAndItem[(split + 1)..]}-{Guid.NewGuid():N}"), "");
        return int.Parse(folderAndItem[(split + 1)..]);
    }

    /// <summary>A task of a second: twenty of them on two workers are a job of ten seconds.</summary>
    public static int Slow(int x)
    {
        Thread.Sleep(1000);
        return x;
    }
}

/// <summary>Runs a three-second job on the host's pool once the host has started.</summary>
internal sealed class PoolJobService(Pool pool, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task;
        await Task.Run(() => Jobs.RunAndReport(pool, tasks: 6), CancellationToken.None);
    }
}

internal sealed class JobService(IServiceProvider services, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task;
        var system = services.GetRequiredService<ActorSystem>();
        await Task.Run(() => RunJob(system), CancellationToken.None);
    }

    private void RunJob(ActorSystem system)
    {
        var pool = new Pool(new PoolOptions { ActorSystem = system, Processes = 2 });
        Jobs.RunAndReport(pool);
        try
        {
            pool.ApplyAsync(Jobs.Twice, 1);
            Console.WriteLine("accepted new work");
        }
        catch (InvalidOperationException ex)
        {
            Console.WriteLine($"refused: {ex.Message}");
        }
        pool.Dispose();
        Console.WriteLine("disposed");
        lifetime.StopApplication();
    }
}
