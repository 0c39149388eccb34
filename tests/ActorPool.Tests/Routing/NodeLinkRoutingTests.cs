using System.Collections.Concurrent;
using ActorPool.Configuration;
using ActorPool.Observability;
using ActorPool.Protocol;
using ActorPool.Remote;
using ActorPool.Routing;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.TestKit.Xunit2;

namespace ActorPool.Tests.Routing;

/// <summary>
/// The work-pulling router with links to its nodes (the data plane), the links faked: a node gets
/// nothing before its link is open, then everything on it; a link that ends counts as the loss of
/// what it carried, which is sent again; a node without a link is reached by remoting. The node is
/// a second system in this process, with the worker role, whose host actor and workers are faked.
/// </summary>
public sealed class NodeLinkRoutingTests : TestKit
{
    private static Config Member(string role) => ConfigurationFactory.ParseString($"""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.roles = [{role}]
        akka.loglevel = WARNING
        # Messages here go through remoting between two systems: on a loaded 2-core machine 3 s (the TestKit's default) can pass.
        akka.test.single-expect-default = 15s
        """).WithFallback(ReferenceConfig.Get());

    private readonly FakeLinks _links = new();
    private readonly ActorSystem _node;
    private Akka.TestKit.TestProbe[] _workers = [];

    public NodeLinkRoutingTests()
        : base(Member("driver"))
    {
        _node = ActorSystem.Create(Sys.Name, Member("worker"));
        var up = new CountdownEvent(2);
        foreach (var member in new[] { Sys, _node })
        {
            Cluster.Get(member).RegisterOnMemberUp(() => up.Signal());
            Cluster.Get(member).Join(Cluster.Get(Sys).SelfAddress);
        }
        Assert.True(up.Wait(TimeSpan.FromSeconds(30)), "The two members did not come up.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _node.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.Dispose(disposing);
    }

    /// <summary>The node's host actor with <paramref name="workers"/> workers, then a router that finds them.</summary>
    private IActorRef Router(int workers = 2)
    {
        _workers = Enumerable.Range(0, workers).Select(_ => CreateTestProbe(_node)).ToArray();
        var refs = _workers.Select(worker => worker.Ref).ToArray();
        _node.ActorOf(Props.Create(() => new FakeNode(refs)), ClusterNames.NodeActor);
        return Sys.ActorOf(WorkPullingRouter.Props(null, PoolSettings.Create(new PoolOptions(), Sys.Settings.Config, new PoolTelemetry("test")), null, null, _links));
    }

    internal static int AddOne(int x) => x + 1;

    /// <summary>A chunk of job <paramref name="job"/>, as a distributed pool sends it: encoded, so that remoting can carry it too.</summary>
    private RunChunk Chunk(long job) => new(job, 0, 0, EncodedWork.Encode(new MapWork<int, int>(AddOne, new[] { 1 })), TestActor);

    [Fact]
    public void NodeWithALink_GetsNothingBeforeItOpens_ThenItsWorkOnTheLink()
    {
        var router = Router();
        var opening = _links.NextOpening();

        router.Tell(Chunk(1));
        var link = new FakeLink();
        opening.SetResult(link);

        var (worker, batch) = link.Next<RunBatch>();
        Assert.Equal(1, Assert.Single(batch.Chunks).JobId);
        Assert.Contains(worker!.Path.Name, _workers.Select(probe => probe.Ref.Path.Name));
        Assert.All(_workers, probe => Assert.False(probe.HasMessages, "A batch went to a worker by remoting, beside its node's link."));

        router.Tell(new DropJob(1));
        var (to, cancel) = link.Next<CancelTasks>();
        Assert.Null(to); // for the node's host actor
        Assert.Equal(1, cancel.JobId);
    }

    [Fact]
    public void LinkEnds_WhatItCarriedIsSentAgainOnTheNextLink()
    {
        var router = Router();
        var first = new FakeLink();
        _links.NextOpening().SetResult(first);
        router.Tell(Chunk(1));
        var (_, lost) = first.Next<RunBatch>();

        router.Tell(new NodeLinkLost(Cluster.Get(_node).SelfAddress, first, "the test ended it"));
        var reopening = _links.NextOpening(); // the node is asked for its workers again, a moment after the link ended
        var second = new FakeLink();
        reopening.SetResult(second);

        var (_, again) = second.Next<RunBatch>();
        Assert.Equal((1, 0), Chunks.Key(lost.Chunks[0]));
        Assert.Equal((1, 0), Chunks.Key(Assert.Single(again.Chunks)));
        Assert.True(first.Disposed, "The router kept the link that ended open.");
    }

    [Fact]
    public void LinkEndsBeforeTheRouterStartsIt_ItsEndIsHeardAndTheWorkIsSentOnTheNext()
    {
        // The connection closed between its opening and the router taking it: the link reports
        // its end as soon as it is started, and the router must count it, not keep a dead link.
        var router = Router();
        var node = Cluster.Get(_node).SelfAddress;
        var dead = new FakeLink(link => router.Tell(new NodeLinkLost(node, link, "closed while it opened")));
        _links.NextOpening().SetResult(dead);
        router.Tell(Chunk(1));

        var second = new FakeLink();
        _links.NextOpening().SetResult(second);

        Assert.Equal(1, Assert.Single(second.Next<RunBatch>().Message.Chunks).JobId);
        Assert.True(dead.Disposed, "The router kept the link that ended open.");
    }

    [Fact]
    public async Task NodeReachedByRemoting_StaysSoWhileItHasWorkers_NoLinkOpensBesideIt()
    {
        var router = Router(workers: 1);
        _links.NextOpening().SetResult(null);
        router.Tell(Chunk(1));
        Assert.Equal(1, Assert.Single(_workers[0].ExpectMsg<RunBatch>().Chunks).JobId);

        // The node names its workers again (as it does to each pool that comes up): no link opens
        // beside remoting, which carries batch 1, so that nothing for the node can overtake it.
        var nodeActor = await Sys.ActorSelection(new RootActorPath(Cluster.Get(_node).SelfAddress) / "user" / ClusterNames.NodeActor).ResolveOne(TimeSpan.FromSeconds(10));
        router.Tell(new NodeWorkers([AsTheRouterSeesIt(_workers[0].Ref)], PlanePort: 1), nodeActor);
        var linked = await router.Ask<LinkedNodes>(GetLinkedNodes.Instance, TimeSpan.FromSeconds(10)); // handled after the NodeWorkers

        Assert.Empty(linked.Nodes);
        Assert.Equal(0, _links.Pending);
    }

    [Fact]
    public void LinkCannotBeOpened_TheNodeIsReachedByRemoting()
    {
        var router = Router(workers: 1);
        _links.NextOpening().SetResult(null);

        router.Tell(Chunk(1));

        Assert.Equal(1, Assert.Single(_workers[0].ExpectMsg<RunBatch>().Chunks).JobId);
    }

    /// <summary>A node's actor as the router's system knows it: a remote reference.</summary>
    private IActorRef AsTheRouterSeesIt(IActorRef onTheNode) =>
        ((ExtendedActorSystem)Sys).Provider.ResolveActorRef(Akka.Serialization.Serialization.SerializedActorPath(onTheNode));

    /// <summary>A node's host actor: answers every request for workers with its two, and a data plane port.</summary>
    private sealed class FakeNode : ReceiveActor
    {
        public FakeNode(IActorRef[] workers) => Receive<GetWorkers>(_ => Sender.Tell(new NodeWorkers(workers, PlanePort: 1)));
    }

    /// <summary>Links the test opens, one request at a time.</summary>
    private sealed class FakeLinks : INodeLinks
    {
        private readonly BlockingCollection<TaskCompletionSource<INodeLink?>> _requests = new();
        private TaskCompletionSource<INodeLink?>? _taken;

        /// <summary>Openings asked for and not taken by the test yet.</summary>
        public int Pending => _requests.Count;

        public void Dispose()
        {
        }

        /// <summary>The next opening the router asks for, once it has asked; the test completes it.</summary>
        public TaskCompletionSource<INodeLink?> NextOpening()
        {
            Assert.True(_requests.TryTake(out _taken, TimeSpan.FromSeconds(30)), "The router asked for no link.");
            return _taken!;
        }

        public Task<INodeLink?> OpenAsync(Address node, NodeWorkers workers, IActorRef router)
        {
            var opening = new TaskCompletionSource<INodeLink?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _requests.Add(opening);
            return opening.Task;
        }
    }

    /// <summary>A link that keeps what it is sent; <paramref name="onStart"/> runs when the router starts it.</summary>
    private sealed class FakeLink(Action<FakeLink>? onStart = null) : INodeLink
    {
        private readonly BlockingCollection<(IActorRef? To, object Message)> _sent = new();

        public bool Disposed { get; private set; }

        public void Start() => onStart?.Invoke(this);

        /// <summary>The next message of type <typeparamref name="T"/> sent on it (others are skipped), with its worker (null: the node's host actor).</summary>
        public (IActorRef? To, T Message) Next<T>()
        {
            while (_sent.TryTake(out var sent, TimeSpan.FromSeconds(30)))
            {
                if (sent.Message is T message)
                    return (sent.To, message);
            }
            throw new TimeoutException($"No {typeof(T).Name} was sent on the link.");
        }

        public bool Send(IActorRef? worker, object message)
        {
            _sent.Add((worker, message));
            return true;
        }

        public void Dispose() => Disposed = true;
    }
}
