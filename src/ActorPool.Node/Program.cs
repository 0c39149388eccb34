// The ActorPool node host: one process of a distributed pool's workers.
//   dotnet run --project src/ActorPool.Node -- --port 4053                      a seed node
//   dotnet run --project src/ActorPool.Node -- --seed 127.0.0.1:4053            a node that joins it
//   ... --hostname 10.0.0.5 --certificate cluster.pfx                          over TLS, across machines (README)
using System.CommandLine;
using ActorPool.Node;

AppAssemblies.ResolveFromApplication(); // before anything of ActorPool loads

var hostname = new Option<string>("--hostname") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
var port = new Option<int>("--port") { Description = "Port to listen on; 0 picks a free port.", DefaultValueFactory = _ => 0 };
var seeds = new Option<string[]>("--seed") { Description = "A seed node to join, host:port (repeatable). With none, this node starts a cluster of its own." };
var workers = new Option<int>("--workers") { Description = "Worker actors on this node.", DefaultValueFactory = _ => Environment.ProcessorCount };
var role = new Option<string>("--role") { Description = "Cluster role; pools send work to nodes with their WorkerRole.", DefaultValueFactory = _ => "worker" };
var config = new Option<FileInfo?>("--config") { Description = "A HOCON file whose settings override the defaults (the repository's hocon/node.hocon is a commented example)." };
var load = new Option<FileInfo[]>("--load") { Description = "An assembly that holds user functions (repeatable)." };
var parentPid = new Option<int?>("--parent-pid") { Description = "Exit when this process exits (LocalProcesses pools pass their own id, so no worker outlives its pool)." };
var replaceByExit = new Option<bool>("--replace-by-exit")
{
    Description = "Leave the cluster and exit when a worker is due for replacement (MaxTasksPerChild, or a task that timed out "
        + "and left its thread running); LocalProcesses pools pass it and start a fresh process.",
};

var certificate = new Option<string?>("--certificate")
{
    Description = "A PKCS#12 file (.pfx) with the certificate and private key this node presents; every connection is then TLS with "
        + $"mutual authentication, and only peers with this certificate or a --trust one are accepted. Its password, if any, is read from {NodeCertificate.PasswordVariable}; "
        + "- reads the file from standard input (as a LocalProcesses pool gives its own).",
};
var trust = new Option<string[]>("--trust") { Description = "The thumbprint of a further certificate to accept, to rotate the cluster's certificate (repeatable)." };
var insecure = new Option<bool>("--insecure") { Description = "Allow plain TCP, without --certificate, on a --hostname that is not a loopback address." };

var root = new RootCommand("ActorPool node host: runs workers for distributed ActorPool pools.")
{
    hostname, port, seeds, workers, role, config, load, parentPid, replaceByExit, certificate, trust, insecure,
};
root.SetAction((result, cancellation) => NodeHost.RunAsync(new NodeHostOptions(
    result.GetValue(hostname)!,
    result.GetValue(port),
    result.GetValue(seeds) ?? [],
    result.GetValue(workers),
    result.GetValue(role)!,
    result.GetValue(config),
    result.GetValue(load) ?? [],
    result.GetValue(parentPid),
    result.GetValue(replaceByExit),
    result.GetValue(certificate),
    result.GetValue(trust) ?? [],
    result.GetValue(insecure)), cancellation));
return await root.Parse(args).InvokeAsync();
