using System.Collections.Frozen;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Akka.Util;

namespace ActorPool.Remote;

/// <summary>
/// One of Akka's serializers under its own identifier, reading from the wire only the message
/// kinds ActorPool's systems exchange: any other manifest a peer names is refused with a
/// <see cref="SerializationException"/> before the serializer reads a byte of it. What it
/// refuses to read it also refuses to write, so nothing of ours depends on it.
/// </summary>
/// <remarks>
/// Akka deserializes whatever arrives by the serializer identifier and manifest the sender chose,
/// before it looks at the recipient (<see cref="WireFence"/> lists what each would do). Being a
/// <see cref="SerializerWithStringManifest"/>, a fence gets the manifest as text: Akka does not
/// look a type up by that name first, as it does for a serializer that takes a type.
/// </remarks>
internal abstract class FencedSerializer : SerializerWithStringManifest
{
    private readonly Serializer? _inner;
    private readonly FrozenDictionary<string, Type?> _allowed;
    private readonly string _refusal;

    /// <param name="system">The system.</param>
    /// <param name="identifier">The identifier of the Akka serializer this one stands for.</param>
    /// <param name="inner">The Akka serializer that reads what is let in; null to let nothing in.</param>
    /// <param name="allowed">The manifests let in: a message kind's type for an inner serializer that takes one, else null.</param>
    /// <param name="refusal">Why the rest is refused, for the exception.</param>
    protected FencedSerializer(ExtendedActorSystem system, int identifier, Serializer? inner, IReadOnlyDictionary<string, Type?> allowed, string refusal)
        : base(system)
    {
        Identifier = identifier;
        _inner = inner;
        _allowed = allowed.ToFrozenDictionary(StringComparer.Ordinal);
        _refusal = refusal;
    }

    public override int Identifier { get; }

    /// <summary>The manifests of messages of <paramref name="types"/> as a serializer that takes a type writes them: the type's name without version.</summary>
    protected static IReadOnlyDictionary<string, Type?> ByTypeName(params Type[] types) =>
        types.ToDictionary(type => type.TypeQualifiedName(), type => (Type?)type);

    /// <summary>Manifests of a serializer that takes them as text.</summary>
    protected static IReadOnlyDictionary<string, Type?> ByManifest(params string[] manifests) =>
        manifests.ToDictionary(manifest => manifest, _ => (Type?)null);

    public override string Manifest(object o) => _inner switch
    {
        SerializerWithStringManifest named => named.Manifest(o),
        { IncludeManifest: true } => o.GetType().TypeQualifiedName(),
        _ => "",
    };

    public override byte[] ToBinary(object obj)
    {
        var manifest = Manifest(obj);
        if (_inner is null || !_allowed.ContainsKey(manifest))
            throw Refuse(obj.GetType().FullName ?? manifest);
        return _inner.ToBinary(obj);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (_inner is null || !_allowed.TryGetValue(manifest ?? "", out var type))
            throw Refuse(manifest);
        return _inner is SerializerWithStringManifest named ? named.FromBinary(bytes, manifest!) : _inner.FromBinary(bytes, type!);
    }

    private SerializationException Refuse(string? what) =>
        new($"ActorPool does not read or write '{what}' with Akka serializer {Identifier} across processes: {_refusal}");
}
