using ActorPool.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace ActorPool.Remote;

/// <summary>
/// The mailbox of a node host's workers: unbounded, but a batch of work gets in only within the
/// node's <see cref="NodeQueue"/> limit. One past it is refused as it arrives, on the thread that
/// delivers it, before it takes any room: its sender is answered <see cref="BatchRefused"/>, and the
/// worker never sees it. Configured as <see cref="Id"/> in reference.conf.
/// </summary>
internal sealed class NodeWorkerMailbox : MailboxType, IProducesMessageQueue<NodeWorkerMailbox.Queue>
{
    /// <summary>The mailbox's id in the configuration.</summary>
    internal const string Id = "actorpool.remote.node-worker-mailbox";

    /// <summary>Made by Akka from the configuration at <see cref="Id"/> (through reflection: this constructor's signature is Akka's to choose).</summary>
    public NodeWorkerMailbox(Settings settings, Config config)
        : base(settings, config)
    {
    }

    /// <inheritdoc />
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new Queue(NodeQueue.Get(system));

    /// <summary>
    /// A worker's messages, each batch counted in its node's limit from the moment it is queued to
    /// the moment the worker takes it out to start it (or the queue is emptied into dead letters
    /// when the worker stops): every path out of the queue goes through <see cref="TryDequeue"/>,
    /// so each admitted batch is released exactly once. (A batch delivered in the very instant the
    /// worker stops, after its queue was emptied, would stay counted, as Akka leaves it unread: a
    /// node's workers stop only with the node.)
    /// </summary>
    internal sealed class Queue : IMessageQueue, IUnboundedMessageQueueSemantics
    {
        private readonly UnboundedMessageQueue _queue = new();
        private readonly NodeQueue _node;

        public Queue(NodeQueue node) => _node = node;

        /// <inheritdoc />
        public bool HasMessages => _queue.HasMessages;

        /// <inheritdoc />
        public int Count => _queue.Count;

        /// <inheritdoc />
        public void Enqueue(IActorRef receiver, Envelope envelope)
        {
            if (envelope.Message is RunBatch batch && !_node.Limit.TryAdmit(ChunksOf(batch), BytesOf(batch)))
            {
                _node.Refuse(receiver, batch, envelope.Sender);
                return;
            }
            _queue.Enqueue(receiver, envelope);
        }

        /// <inheritdoc />
        public bool TryDequeue(out Envelope envelope)
        {
            if (!_queue.TryDequeue(out envelope))
                return false;
            if (envelope.Message is RunBatch batch)
                _node.Limit.Release(ChunksOf(batch), BytesOf(batch));
            return true;
        }

        /// <inheritdoc />
        public void CleanUp(IActorRef owner, IMessageQueue deadletters)
        {
            while (TryDequeue(out var envelope))
                deadletters.Enqueue(owner, envelope);
        }

        /// <summary>A batch's chunks, counting an empty one as one: each message waiting costs something.</summary>
        private static long ChunksOf(RunBatch batch) => Math.Max(1, batch.Chunks.Length);

        /// <summary>The bytes the batch came in; for one made in this process (tests), its chunks' own.</summary>
        private static long BytesOf(RunBatch batch) => batch.FrameBytes > 0 ? batch.FrameBytes : batch.Chunks.Sum(chunk => chunk.Work.WireBytes);
    }
}
