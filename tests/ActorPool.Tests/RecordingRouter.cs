using System.Collections.Concurrent;
using ActorPool.Protocol;
using ActorPool.Routing;
using ActorPool.Threads;
using Akka.Actor;

namespace ActorPool.Tests;

/// <summary>
/// A stand-in for a pool's router (or its workers) that records every message told to it, with
/// whether it was told from inside <see cref="SenderThreadExecutor.RouteHere"/>.
/// </summary>
internal sealed class RecordingRouter : MinimalActorRef
{
    private readonly BlockingCollection<(object Message, bool Marked)> _told = new();

    public override IActorRefProvider Provider => throw new NotSupportedException();

    public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "test")) / "workers";

    /// <summary>The next message told, and whether it was marked; throws if none comes within <see cref="Gate.Limit"/>.</summary>
    public (object Message, bool Marked) Next() =>
        _told.TryTake(out var told, Gate.Limit) ? told : throw new TimeoutException("Nothing was told to the router.");

    protected override void TellInternal(object message, IActorRef sender) => _told.Add((message, SenderThreadExecutor.IsRoutingHere));
}
