using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool.Remote;

/// <summary>Makes an ActorSystem serialize the pool's wire messages with <see cref="WireSerializer"/>.</summary>
internal static class WireSetup
{
    /// <summary>
    /// Registers the serializer in code. Serialization bindings are read once, when a system
    /// starts, so for a system the pool did not create, reference.conf injected afterwards
    /// would come too late and Akka would fall back to JSON.
    /// </summary>
    public static void Register(ActorSystem system)
    {
        if (system.Serialization.FindSerializerForType(typeof(IWireMessage)) is WireSerializer)
            return;
        var serializer = new WireSerializer((ExtendedActorSystem)system);
        system.Serialization.AddSerializer("actorpool", serializer);
        system.Serialization.AddSerializationMap(typeof(IWireMessage), serializer);
    }
}
