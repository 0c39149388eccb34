using ActorPool.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;

namespace ActorPool.Remote;

/// <summary>
/// A node host's bound on the work waiting for its workers, from all its peers together
/// (<c>actorpool.remote.node-queue</c>): one <see cref="QueueLimit"/> per ActorSystem, shared by the
/// mailboxes of its workers (<see cref="NodeWorkerMailbox"/>), which refuse a batch past it. Pools
/// limit themselves far below it; a peer that does not (a rogue one, or any system that can reach a
/// plain-TCP node) can fill no more than this of the node's memory.
/// </summary>
internal sealed class NodeQueue : IExtension
{
    /// <summary>Where the limits are configured.</summary>
    public const string ConfigPath = "actorpool.remote.node-queue";

    private readonly RefusalLog _refusals;
    private readonly string _reason;

    private NodeQueue(ExtendedActorSystem system)
    {
        Limit = LimitOf(system.Settings.Config);
        _refusals = new RefusalLog(Logging.GetLogger(system, typeof(NodeQueue)), "a batch of work");
        _reason = $"this node's workers already have the most work waiting that it takes from all peers together ({Limit.MaxChunks} chunks "
            + $"or {Limit.MaxBytes} bytes, {ConfigPath}); the batch is answered as refused, and a pool queues it again";
    }

    /// <summary>The limit of this system's node.</summary>
    public QueueLimit Limit { get; }

    /// <summary>The node queue of <paramref name="system"/>, made on first use.</summary>
    public static NodeQueue Get(ActorSystem system) => system.WithExtension<NodeQueue, Provider>();

    /// <summary>The limits <paramref name="config"/> sets (over reference.conf); throws a <see cref="ConfigurationException"/> naming a setting that is not positive.</summary>
    public static QueueLimit LimitOf(Config config)
    {
        var section = config.GetConfig(ConfigPath);
        var chunks = section?.GetLong("max-chunks", 0) ?? 0;
        var bytes = section?.GetByteSize("max-bytes", null) ?? 0L;
        if (chunks < 1)
            throw new ConfigurationException($"{ConfigPath}.max-chunks must be a positive number of chunks, but is {chunks}.");
        if (bytes < 1)
            throw new ConfigurationException($"{ConfigPath}.max-bytes must be a positive size (such as 512 MiB), but is {bytes}.");
        return new QueueLimit(chunks, bytes);
    }

    /// <summary>
    /// Answers <paramref name="batch"/>, refused for <paramref name="worker"/>, to its sender (in the
    /// worker's name, as its other answers come), and logs the refusal once per sender address.
    /// </summary>
    public void Refuse(IActorRef worker, RunBatch batch, IActorRef? sender)
    {
        if (sender.IsNobody())
        {
            _refusals.Refused("with no sender", _reason);
            return;
        }
        sender!.Tell(new BatchRefused(batch.BatchId), worker);
        _refusals.Refused($"from {sender.Path.Address}", _reason);
    }

    private sealed class Provider : ExtensionIdProvider<NodeQueue>
    {
        public override NodeQueue CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
