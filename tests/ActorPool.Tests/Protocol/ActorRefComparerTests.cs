using ActorPool.Protocol;
using Akka.Actor;
using CsCheck;

namespace ActorPool.Tests.Protocol;

/// <summary>The library's comparer of actor references agrees with Akka's equality, and hashes equal references alike.</summary>
public sealed class ActorRefComparerTests
{
    private static readonly Address Here = new("akka", "test");

    [Fact]
    public void Equals_TwoInstancesOfOneActor_AreEqualWithOneHash()
    {
        IActorRef a = new PathRef((new RootActorPath(Here) / "user" / "worker").WithUid(7)), b = new PathRef((new RootActorPath(Here) / "user" / "worker").WithUid(7));
        Assert.NotSame(a, b);
        Assert.True(ActorRefComparer.Instance.Equals(a, b));
        Assert.Equal(ActorRefComparer.Instance.GetHashCode(a), ActorRefComparer.Instance.GetHashCode(b));
    }

    [Fact]
    public void Equals_ANewIncarnationAtTheSamePath_IsAnotherActor()
    {
        var path = new RootActorPath(Here) / "user" / "worker";
        Assert.False(ActorRefComparer.Instance.Equals(new PathRef(path.WithUid(7)), new PathRef(path.WithUid(8))));
    }

    [Fact]
    public void Equals_Null_OnlyToNull()
    {
        var a = new PathRef((new RootActorPath(Here) / "user").WithUid(1));
        Assert.True(ActorRefComparer.Instance.Equals(null, null));
        Assert.False(ActorRefComparer.Instance.Equals(a, null));
        Assert.False(ActorRefComparer.Instance.Equals(null, a));
    }

    [Fact]
    public void For_ActorRefs_IsThisComparer_OtherKeys_TheDefault()
    {
        Assert.Same(ActorRefComparer.Instance, ActorRefComparer.For<IActorRef>());
        Assert.Same(EqualityComparer<int>.Default, ActorRefComparer.For<int>());
    }

    [Fact]
    public void RandomReferences_EqualAsAkkaSays_AndEqualOnesHashAlike()
    {
        string[] names = ["user", "workers", "w1", "w2"];
        Address[] addresses = [Here, new Address("akka.tcp", "test", "127.0.0.1", 2552)];
        // Half the pairs name the same actor in two instances; the rest differ in a name, the uid or the address, or not at all.
        var actors = Gen.Select(Gen.Int[0, names.Length - 1].Select(i => names[i]).Array[1, 3], Gen.Long[0, 3], Gen.Int[0, 1].Select(i => addresses[i]));
        Gen.Select(actors, actors, Gen.Bool).Sample((first, second, same) =>
        {
            IActorRef a = Ref(first), b = Ref(same ? first : second);
            var equal = ActorRefComparer.Instance.Equals(a, b);
            return equal == a.Equals(b) && (!equal || ActorRefComparer.Instance.GetHashCode(a) == ActorRefComparer.Instance.GetHashCode(b));
        });
    }

    private static PathRef Ref((string[] Elements, long Uid, Address Address) actor) =>
        new(actor.Elements.Aggregate((ActorPath)new RootActorPath(actor.Address), (path, name) => path / name).WithUid(actor.Uid));

    /// <summary>A reference to whatever actor <paramref name="path"/> names, a new instance each time.</summary>
    private sealed class PathRef(ActorPath path) : MinimalActorRef
    {
        public override IActorRefProvider Provider => throw new NotSupportedException();

        public override ActorPath Path { get; } = path;
    }
}
