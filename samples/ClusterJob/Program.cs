// A job against a cluster of ActorPool node hosts (see the README): the notebook's map, then a
// hundred tasks that report which process ran them. The nodes load this assembly (--load) to
// find the functions, which are static: they travel by name, as pickle sends a function.
using ActorPool;
using ClusterJob;

var seed = args.Length > 0 ? args[0] : "127.0.0.1:4053";
using var pool = new Pool(new PoolOptions { Deployment = PoolDeployment.Cluster, SeedNodes = [seed] });

Console.WriteLine("[" + string.Join(", ", pool.Map(Jobs.Func, [1, 2, 3, 4])) + "]");

var processes = pool.Map(Jobs.WhereAmI, Enumerable.Range(0, 100), chunkSize: 1);
foreach (var group in processes.GroupBy(pid => pid).OrderBy(group => group.Key))
    Console.WriteLine($"process {group.Key} ran {group.Count()} of 100 tasks");
