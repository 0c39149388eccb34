using Akka.Actor;

namespace ActorPool.Protocol;

/// <summary>
/// Equality of actor references as Akka's own (<c>IActorRef.Equals</c>), with a hash
/// that costs nothing: the actor's uid. Akka's own hash walks the whole path, hashing each of its
/// names and its address, on every lookup; the router and the workers look a worker up several
/// times for every chunk.
/// </summary>
/// <remarks>
/// Consistent with Akka's equality, which holds only between references with the same uid. A
/// reference without a uid (0) hashes with all the others like it, which costs speed, never
/// correctness; a worker's reference always has one.
/// </remarks>
internal sealed class ActorRefComparer : IEqualityComparer<IActorRef>
{
    /// <summary>The comparer; it has no state.</summary>
    public static readonly ActorRefComparer Instance = new();

    /// <summary>This comparer where <typeparamref name="T"/> is <see cref="IActorRef"/>, the default one otherwise (the pure parts' tests key workers by numbers).</summary>
    public static IEqualityComparer<T> For<T>() =>
        typeof(T) == typeof(IActorRef) ? (IEqualityComparer<T>)(object)Instance : EqualityComparer<T>.Default;

    private ActorRefComparer()
    {
    }

    public bool Equals(IActorRef? x, IActorRef? y) => ReferenceEquals(x, y) || (x is not null && x.Equals(y));

    public int GetHashCode(IActorRef obj) => obj.Path.Uid.GetHashCode();
}
