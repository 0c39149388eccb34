using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Coordination;

/// <summary>
/// A one-shot reply address that is not an actor: a message told to it is handed to a callback on
/// the sender's thread, as Akka's own Ask does with its future refs. It carries a job's final answer
/// to the caller without a mailbox hop. The callback must tolerate a second message (a chunk
/// answered twice after re-dispatch): it completes results with first-wins semantics.
/// </summary>
/// <remarks>
/// Handlers run on the thread that replies (the actor's, or a worker's result timer), so they must
/// only complete results and forward messages: user callbacks are dispatched from there to the
/// thread pool (AsyncResult).
/// The path is created, and registered with the provider so that a remote node can resolve it,
/// only when something asks for it (serialization, logging), as Akka's PromiseActorRef does.
/// </remarks>
internal sealed class ReplyRef : MinimalActorRef
{
    private readonly Action<object> _onMessage;
    private readonly object _pathGate = new();
    private ActorPath? _path;
    private bool _released;

    public ReplyRef(IActorRefProvider provider, Action<object> onMessage)
    {
        Provider = provider;
        _onMessage = onMessage;
    }

    public override IActorRefProvider Provider { get; }

    public override ActorPath Path
    {
        get
        {
            lock (_pathGate)
            {
                if (_path is null)
                {
                    _path = Provider.TempPath();
                    if (_released)
                        return _path;
                    Provider.RegisterTempActor(this, _path);
                }
                return _path;
            }
        }
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is ChunkResults results)
        {
            foreach (var result in results.Results)
                _onMessage(result);
        }
        else
        {
            _onMessage(message);
        }
        Release();
    }

    /// <summary>The answer has arrived, or will never be waited for: stop being resolvable by path. Idempotent.</summary>
    public void Release()
    {
        lock (_pathGate)
        {
            if (_released)
                return;
            _released = true;
            if (_path is not null)
                Provider.UnregisterTempActor(_path);
        }
    }
}
