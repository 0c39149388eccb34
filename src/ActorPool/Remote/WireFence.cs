using Akka.Configuration;

namespace ActorPool.Remote;

/// <summary>
/// What a peer that reaches a node's or a pool's port can make this process deserialize, fenced.
/// Akka reads every message by the serializer identifier and manifest its sender wrote, before it
/// looks at the recipient, so every serializer a system has is reachable from the wire. Of Akka's:
/// JSON (1) makes any type a "$type" names, Protobuf (2) any type its manifest names, remote
/// deployment (3) an actor of any type, and the small messages (16) and system messages (22)
/// rebuild an exception by the serialization constructor of any type the data names, or stop and
/// restart actors. These are replaced by <see cref="FencedSerializer"/>s under the same
/// identifiers. The rest read only their own kinds: bytes (4), the cluster's messages (5), actor
/// selections (6), primitives (17), reliable delivery (36), and ActorPool's own (7341,
/// <see cref="WireSerializer"/>); those that wrap a message (6, 36, Status.Success) read it by
/// its own identifier, through these fences again.
/// </summary>
/// <remarks>
/// For the systems ActorPool makes that cross a process boundary (a distributed pool's, a node
/// host's). A configuration the application passes can put Akka's serializers back.
/// </remarks>
internal static class WireFence
{
    private static readonly Config Instance = ConfigurationFactory.ParseString($$"""
        akka.actor.serializers {
          json = "{{Name<RefusedJsonSerializer>()}}"
          proto = "{{Name<RefusedProtobufSerializer>()}}"
          daemon-create = "{{Name<RefusedDaemonCreateSerializer>()}}"
          akka-misc = "{{Name<FencedMiscSerializer>()}}"
          akka-system-msg = "{{Name<FencedSystemMessageSerializer>()}}"
        }
        """);

    public static Config Get() => Instance;

    private static string Name<T>() => $"{typeof(T).FullName}, {typeof(T).Assembly.GetName().Name}";
}
