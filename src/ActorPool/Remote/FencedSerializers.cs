using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch.SysMsg;
using Akka.Remote.Serialization;

namespace ActorPool.Remote;

// The fences WireFence puts in place of Akka's serializers. Akka makes each with the system, and
// also with its settings when akka.actor.serialization-settings has a section of its name ("json"
// does): hence the two constructors.

/// <summary>Stands for Akka's Newtonsoft JSON serializer (1): reads and writes nothing.</summary>
internal sealed class RefusedJsonSerializer(ExtendedActorSystem system) : FencedSerializer(system, 1, null, ByManifest(),
    "Akka's JSON serializer makes whatever type the data names; the pool's messages have a wire format of their own.")
{
    public RefusedJsonSerializer(ExtendedActorSystem system, Config settings) : this(system) => _ = settings;
}

/// <summary>Stands for Akka's Protobuf serializer (2): reads and writes nothing.</summary>
internal sealed class RefusedProtobufSerializer(ExtendedActorSystem system) : FencedSerializer(system, 2, null, ByManifest(),
    "Akka's Protobuf serializer makes whatever type the manifest names.")
{
    public RefusedProtobufSerializer(ExtendedActorSystem system, Config settings) : this(system) => _ = settings;
}

/// <summary>Stands for Akka's remote deployment serializer (3): reads and writes nothing.</summary>
internal sealed class RefusedDaemonCreateSerializer(ExtendedActorSystem system) : FencedSerializer(system, 3, null, ByManifest(),
    "remote deployment makes an actor of whatever type the message names, and ActorPool deploys nothing remotely.")
{
    public RefusedDaemonCreateSerializer(ExtendedActorSystem system, Config settings) : this(system) => _ = settings;
}

/// <summary>
/// Akka's serializer of its small messages (16), for those remoting and the cluster use: Identify
/// and its answer, actor references, remote watch heartbeats, Status.Success. Refused: PoisonPill,
/// Kill and IntentionalRestart (they stop or restart the recipient), Status.Failure (Akka rebuilds
/// its exception by calling the serialization constructor of whatever type the data names), and
/// the scopes, configurations and router pools of remote deployment.
/// </summary>
internal sealed class FencedMiscSerializer(ExtendedActorSystem system) : FencedSerializer(system, 16, new MiscMessageSerializer(system),
    ByManifest("ID", "AID", "AR", "RWHB", "RWHR", "STS"),
    "it stops, restarts or deploys actors, or makes a type named by the data.")
{
    public FencedMiscSerializer(ExtendedActorSystem system, Config settings) : this(system) => _ = settings;
}

/// <summary>
/// Akka's serializer of system messages (22), for remote death watch only: Watch, Unwatch and
/// DeathWatchNotification. Refused: Create, Recreate, Suspend, Resume, Terminate, Supervise and
/// Failed, which stop, restart or supervise the recipient (a remote peer has no child here), and
/// of which three carry an exception Akka rebuilds as whatever type the data names.
/// </summary>
internal sealed class FencedSystemMessageSerializer(ExtendedActorSystem system) : FencedSerializer(system, 22, new SystemMessageSerializer(system),
    ByTypeName(typeof(Watch), typeof(Unwatch), typeof(DeathWatchNotification)),
    "a remote peer may only watch and unwatch actors here, and tell of their deaths.")
{
    public FencedSystemMessageSerializer(ExtendedActorSystem system, Config settings) : this(system) => _ = settings;
}
