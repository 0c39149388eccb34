using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ActorPool.Configuration;
using ActorPool.Protocol;
using ActorPool.Remote;
using ActorPool.Remote.Plane;
using ActorPool.Routing;
using ActorPool.Testing;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorPool.Tests.Remote.Plane;

/// <summary>
/// The data plane over real sockets, between two systems of this process: a node's listener with
/// probes for its host actor and worker, and a pool's links with a probe for its router. What the
/// router sends reaches the worker or host actor in the router's name, their answers come back in
/// the worker's name, and whatever breaks the rules, or closes, ends the link with the router told.
/// </summary>
public sealed class DataPlaneTests : TestKit
{
    private static readonly Config Remote = ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.loglevel = WARNING
        # Messages here cross real sockets: on a loaded 2-core machine 3 s (the TestKit's default) can pass.
        akka.test.single-expect-default = 15s
        """).WithFallback(WireFence.Get()).WithFallback(ReferenceConfig.Get());

    private readonly List<ActorSystem> _systems = new();

    public DataPlaneTests()
        : base(Remote)
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var system in _systems)
                system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
        base.Dispose(disposing);
    }

    private ActorSystem System(X509Certificate2? certificate = null, string? config = null)
    {
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString(config ?? "").WithFallback(Remote)));
        if (certificate is not null)
            setup = setup.And(new TlsSetup(PeerTrust.Create(certificate, [], "certificate", "trusted")));
        var system = ActorSystem.Create("plane", setup);
        _systems.Add(system);
        return system;
    }

    /// <summary>A node: a listener for a host actor probe and one worker probe.</summary>
    private sealed record Node(ActorSystem System, PlaneListener Listener, TestProbe Host, TestProbe Worker) : IDisposable
    {
        public Address Address => ((ExtendedActorSystem)System).Provider.DefaultAddress;

        public void Dispose() => Listener.Dispose();
    }

    private Node StartNode(X509Certificate2? certificate = null, string? config = null)
    {
        var system = System(certificate, config);
        var host = CreateTestProbe(system);
        var worker = CreateTestProbe(system);
        return new Node(system, PlaneListener.Start((ExtendedActorSystem)system, host.Ref, [worker.Ref])!, host, worker);
    }

    /// <summary>The driver's link to <paramref name="node"/> for <paramref name="router"/>, and the node's worker as the driver knows it; the link is null if it could not be opened.</summary>
    private static (INodeLink? Link, IActorRef Worker) Open(ActorSystem driver, Node node, IActorRef router)
    {
        var worker = ((ExtendedActorSystem)driver).Provider.ResolveActorRef(Akka.Serialization.Serialization.SerializedActorPath(node.Worker.Ref));
        var link = NodeLinks.For(driver)!.OpenAsync(node.Address, new NodeWorkers([worker], node.Listener.Port), router).WaitAsync(Gate.Limit).GetAwaiter().GetResult();
        link?.Start();
        return (link, worker);
    }

    /// <summary>A node that never answers: the kernel accepts connections to it, nothing answers the hello.</summary>
    private static TcpListener MuteNode()
    {
        var mute = new TcpListener(global::System.Net.IPAddress.Loopback, 0);
        mute.Start();
        return mute;
    }

    /// <summary>Starts opening a link from <paramref name="links"/> of <paramref name="driver"/> to <paramref name="mute"/>.</summary>
    private Task<INodeLink?> OpenTo(INodeLinks links, TcpListener mute, ActorSystem driver) =>
        links.OpenAsync(new Address("akka.tcp", "plane", "127.0.0.1", 1),
            new NodeWorkers([], ((global::System.Net.IPEndPoint)mute.LocalEndpoint).Port), CreateTestProbe(driver).Ref);

    [Fact]
    public void Link_WorkAndRequestsReachTheNodeInTheRoutersName_AnswersComeBackInTheWorkersName()
    {
        var driver = System();
        using var node = StartNode();
        var router = CreateTestProbe(driver);
        var (link, worker) = Open(driver, node, router.Ref);
        using var _ = link;

        Assert.True(link!.Send(worker, new RunBatch(7, [])));
        Assert.Equal(7, node.Worker.ExpectMsg<RunBatch>().BatchId);
        var asRouter = node.Worker.LastSender;
        // The node knows the pool by its router, whichever way a message of the pool came.
        Assert.Equal(Akka.Serialization.Serialization.SerializedActorPath(router.Ref), Akka.Serialization.Serialization.SerializedActorPath(asRouter));
        asRouter.Tell(new BatchDone(7, []), node.Worker.Ref);
        Assert.Equal(7, router.ExpectMsg<BatchDone>().BatchId);
        Assert.Equal(worker, router.LastSender);

        Assert.True(link.Send(null, new TakeBack(worker, [7])));
        Assert.Equal([7L], node.Host.ExpectMsg<TakeBack>().BatchIds);
        node.Host.LastSender.Tell(new TakenBack(node.Worker.Ref, [7], [1]), node.Host.Ref);
        var taken = router.ExpectMsg<TakenBack>();
        Assert.Equal((worker, 1), (taken.Worker, taken.Kept[0]));
    }

    [Fact]
    public void Link_PeerSendsAMessageItMustNotSend_TheLinkEndsAndTheRouterIsTold()
    {
        var driver = System();
        using var node = StartNode();
        var router = CreateTestProbe(driver);
        var (link, worker) = Open(driver, node, router.Ref);

        link!.Send(null, new RunBatch(1, [])); // work for the host actor, not a worker: the node cuts the link

        var lost = router.ExpectMsg<NodeLinkLost>();
        Assert.Same(link, lost.Link);
        Assert.Equal(node.Address, lost.Node);
        Assert.False(node.Host.HasMessages);
        Assert.False(link.Send(worker, new RunBatch(2, [])), "A send on a link that ended was taken.");
    }

    [Fact]
    public void Link_NodeStops_TheRouterIsTold()
    {
        var driver = System();
        var node = StartNode();
        var router = CreateTestProbe(driver);
        var (link, _) = Open(driver, node, router.Ref);

        node.Dispose();

        Assert.Same(link, router.ExpectMsg<NodeLinkLost>().Link);
    }

    [Fact]
    public void Link_ItsDriverLeavesTheCluster_TheNodeClosesIt()
    {
        var driver = System();
        using var node = StartNode();
        var router = CreateTestProbe(driver);
        var (link, _) = Open(driver, node, router.Ref);

        node.Listener.DriverGone(((ExtendedActorSystem)driver).Provider.DefaultAddress);

        Assert.Same(link, router.ExpectMsg<NodeLinkLost>().Link);
        Assert.Equal(0, node.Listener.OpenConnections);
    }

    [Fact]
    public void Link_SentToAWorkerItDoesNotKnow_EndsAndTheRouterIsTold()
    {
        var driver = System();
        using var node = StartNode();
        var router = CreateTestProbe(driver);
        var (link, _) = Open(driver, node, router.Ref);

        Assert.False(link!.Send(router.Ref, new RunBatch(1, [])));

        Assert.Contains("not one of the workers", router.ExpectMsg<NodeLinkLost>().Reason);
    }

    [Fact]
    public async Task Listener_StrangersBytesAndSilence_EndTheirConnectionsAndAMemberStillLinks()
    {
        var driver = System();
        using var node = StartNode();
        using var garbage = new TcpClient("127.0.0.1", node.Listener.Port);
        garbage.GetStream().Write(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3, 4, 5 }); // a frame of 2 GiB
        Assert.Equal(0, await garbage.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(Gate.Limit)); // closed on it
        using var silent = new TcpClient("127.0.0.1", node.Listener.Port);

        var router = CreateTestProbe(driver);
        var (link, worker) = Open(driver, node, router.Ref);
        using var _ = link;

        Assert.True(link!.Send(worker, new RunBatch(3, [])));
        Assert.Equal(3, node.Worker.ExpectMsg<RunBatch>().BatchId);
    }

    [Fact]
    public async Task Listener_PeerSilentPastTheHandshakeTimeout_IsClosed()
    {
        using var node = StartNode(config: "actorpool.tls.handshake-timeout = 1s");
        using var silent = new TcpClient("127.0.0.1", node.Listener.Port);

        // The node's opening thread blocks reading the hello; its deadline closes the socket.
        Assert.Equal(0, await silent.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(Gate.Limit));
    }

    [Fact]
    public async Task Link_NodeSilentPastTheHandshakeTimeout_OpensNothing()
    {
        var driver = System(config: "actorpool.tls.handshake-timeout = 1s");
        using var mute = MuteNode();

        var opening = OpenTo(NodeLinks.For(driver)!, mute, driver);

        Assert.Null(await opening.WaitAsync(Gate.Limit));
    }

    [Fact]
    public async Task Links_DisposedWhileOneOpens_ItIsGivenUpAtOnce()
    {
        var driver = System(config: "actorpool.tls.handshake-timeout = 10m"); // longer than the test waits
        using var mute = MuteNode();
        var links = NodeLinks.For(driver)!;
        var opening = OpenTo(links, mute, driver);
        using var peer = await mute.AcceptSocketAsync().WaitAsync(Gate.Limit); // the opening is under way

        links.Dispose();

        Assert.Null(await opening.WaitAsync(Gate.Limit));
        var buffer = new byte[4096];
        while (await peer.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Gate.Limit) > 0)
        {
            // its hello, then the close
        }
    }

    [Fact]
    public void Link_Tls_SameCertificateLinks_AnotherIsRefused()
    {
        var certificate = TestCertificates.Create("cluster");
        using var node = StartNode(certificate);
        var member = System(certificate);
        var stranger = System(TestCertificates.Create("stranger"));

        var (link, worker) = Open(member, node, CreateTestProbe(member).Ref);
        using var _ = link;
        Assert.NotNull(link);
        Assert.True(link.Send(worker, new RunBatch(4, [])));
        Assert.Equal(4, node.Worker.ExpectMsg<RunBatch>().BatchId);

        Assert.Null(Open(stranger, node, CreateTestProbe(stranger).Ref).Link);
        Assert.Equal(1, node.Listener.OpenConnections);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("70000")]
    [InlineData("many")]
    public void PortOf_NotAPort_IsRefusedNamingTheSetting(string value)
    {
        var config = ConfigurationFactory.ParseString($"actorpool.remote.data-plane.port = {value}").WithFallback(ReferenceConfig.Get());

        var error = Assert.Throws<ConfigurationException>(() => PlaneListener.PortOf(config));

        Assert.Contains("actorpool.remote.data-plane.port", error.Message);
        Assert.Contains(value, error.Message);
    }
}
