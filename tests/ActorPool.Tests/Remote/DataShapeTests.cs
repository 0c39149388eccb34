using ActorPool.Remote;

namespace ActorPool.Tests.Remote;

public sealed class DataShapeTests
{
    public sealed record Point(int X, int Y)
    {
        public int Sum => X + Y; // computed: no state of its own
    }

    public sealed class Settable
    {
        public string Name { get; set; } = "";
        public List<Point> Points { get; set; } = [];
        public int Count;
    }

    public sealed class GetOnly(int value)
    {
        public int Value { get; } = value;
        public int Other { get; } = 7; // no constructor takes it
    }

    public sealed class PrivateState
    {
        private int _hidden = 1;
        public int Visible { get; set; }
        public int Hidden() => _hidden;
    }

    public sealed record Holding(string Name, CancellationTokenSource Source);

    internal sealed record Hidden(int X);

    public sealed class Backed(int x)
    {
        private readonly int _x = x;
        public int X => _x;
    }

    public sealed class Cached(string name)
    {
        private string? _upper; // not behind a property of its own name: state the wire does not carry
        public string Name { get; } = name;
        public string Upper => _upper ??= Name.ToUpperInvariant();
    }

    public sealed class Points : List<Point>;

    public class Numbers : List<int>;

    public sealed class MoreNumbers : Numbers;

    public sealed class NamedNumbers : List<int>
    {
        public string Name { get; set; } = "";
    }

    public sealed class Holdings : List<Holding>;

    public static TheoryData<Type> Data() =>
    [
        typeof(int), typeof(string), typeof(int[]), typeof(List<int>), typeof(Dictionary<string, int[]>), typeof((int, string)),
        typeof(DateTime?), typeof(Point), typeof(Point[]), typeof(Settable), typeof(IReadOnlyList<Point>), typeof(Tuple<int, Point>),
        typeof(Points), typeof(MoreNumbers), typeof(Backed), new { A = 1, B = "b" }.GetType(),
    ];

    [Theory]
    [MemberData(nameof(Data))]
    public void WhyNot_DataTypes_Travel(Type type) => Assert.Null(DataShape.WhyNot(type));

    [Theory]
    [InlineData(typeof(CancellationTokenSource), "System.Threading.CancellationTokenSource is not plain data")]
    [InlineData(typeof(ManualResetEventSlim), "System.Threading.ManualResetEventSlim is not plain data")]
    [InlineData(typeof(Task<int>), "is not plain data")]
    [InlineData(typeof(MemoryStream), "System.IO.MemoryStream is not plain data")]
    [InlineData(typeof(Pool), "keeps state in its private field")]
    [InlineData(typeof(GetOnly), "has the property Other, which a node could not set back")]
    [InlineData(typeof(PrivateState), "keeps state in its private field _hidden")]
    [InlineData(typeof(Holding), "System.Threading.CancellationTokenSource is not plain data")]
    [InlineData(typeof(List<Holding>), "System.Threading.CancellationTokenSource is not plain data")]
    [InlineData(typeof(Hidden), "ActorPool.Tests.Remote.DataShapeTests+Hidden is not public")]
    [InlineData(typeof(Hidden[]), "is not public")]
    [InlineData(typeof(Cached), "keeps state in its private field _upper")]
    [InlineData(typeof(NamedNumbers), "is a System.Collections.Generic.List`1 with state of its own beside its elements")]
    [InlineData(typeof(Holdings), "System.Threading.CancellationTokenSource is not plain data")]
    public void WhyNot_TypesWhoseCopyWouldDifferOrThatCannotBeWritten_SayWhy(Type type, string why) => Assert.Contains(why, DataShape.WhyNot(type));

    [Fact]
    public void DerivedCollection_TheWireCarriesItsElements()
    {
        var sent = new MoreNumbers { 1, 2, 3 };

        var read = MessagePack.MessagePackSerializer.Deserialize<MoreNumbers[]>(WireCodec.EncodeValues(new[] { sent }), WireCodec.Options);

        Assert.Equal([1, 2, 3], Assert.Single(read));
    }

    [Fact]
    public void BackedPropertyAndAnonymousType_TheWireCarriesThem()
    {
        var backed = MessagePack.MessagePackSerializer.Deserialize<Backed[]>(WireCodec.EncodeValues(new[] { new Backed(3) }), WireCodec.Options);
        var anonymous = new[] { new { A = 1, B = "b" } };
        var read = Decode(anonymous, WireCodec.EncodeValues(anonymous));

        Assert.Equal(3, Assert.Single(backed).X);
        Assert.Equal(anonymous[0], Assert.Single(read));
    }

    private static T[] Decode<T>(T[] like, byte[] bytes) => MessagePack.MessagePackSerializer.Deserialize<T[]>(bytes, WireCodec.Options);
}
