using System.Reflection;
using System.Runtime.Serialization;
using ActorPool.Protocol;
using ActorPool.Remote;

namespace ActorPool.Tests.Remote;

/// <summary>Closures on the wire: their captured values travel as data, and only into the compiler's closure class of a trusted function.</summary>
public sealed partial class WireTests
{
    public sealed record Weighted(string Name, int[] Weights);

    public abstract class Shape
    {
        public abstract int Sides { get; }
    }

    [Fact]
    public void Closure_CapturingIntsStringsArraysARecordAndAnOuterScope_RunsOnTheOtherSideWithItsValues()
    {
        var offset = 1000;
        Func<int, string>? describe = null;
        for (var factor = 2; factor < 3; factor++)
        {
            var copy = factor; // a scope of its own, whose closure points at the method's (offset)
            var prefix = "p";
            var weights = new[] { 5, 7 };
            var weighted = new Weighted("w", [1, 2, 3]);
            describe = x => $"{prefix}{x * copy + offset + weights[x % 2]}{weighted.Name}{weighted.Weights[x % 3]}";
        }
        var frozen = WireFunction.Freeze(describe!, "func");
        Assert.NotSame(describe, frozen);
        Assert.NotNull(WireFunction.Of(frozen, "func").Captures);
        Assert.Equal([describe!(1), describe(2)], RunRemotely(frozen, [1, 2]).Values);
    }

    [Fact]
    public void Closure_ChangedAfterItWasFrozen_TravelsWithTheValuesAsTheyWereRead()
    {
        var factor = 2;
        var weights = new[] { 10 };
        Func<int, int> scaled = x => x * factor + weights[0];
        var frozen = WireFunction.Freeze(scaled, "func");
        factor = 3;
        weights[0] = 20;
        Assert.Equal([12, 14], RunRemotely(frozen, [1, 2]).Values);
        Assert.Equal([12, 14], new[] { frozen(1), frozen(2) }); // the copy the job holds was read then too
    }

    [Fact]
    public void Closure_OnlyTheVariablesItsCodeUses_Travel()
    {
        var notSent = new object(); // in the same closure, but only another lambda uses it; it could not travel
        var factor = 3;
        var offsets = new[] { 10, 20 };
        Func<object> other = () => notSent;
        int Offset(int y) => offsets[y % 2];
        // A nested lambda and a local function: their code is read too.
        Func<int, int> sums = x => Enumerable.Range(0, x).Sum(i => i * factor) + Offset(x);
        var frozen = WireFunction.Freeze(sums, "func");
        Assert.Equal([sums(3), sums(4)], RunRemotely(frozen, [3, 4]).Values);
        Assert.Same(notSent, other());
    }

    [Fact]
    public void LambdaCapturingNothing_IsNotCopied()
    {
        Func<int, int> constant = x => x + 1;
        Assert.Same(constant, WireFunction.Freeze(constant, "func"));
        Assert.Null(WireFunction.Of(constant, "func").Captures);
    }

    private static Func<int, int> CapturingAStream(Stream stream) => x => x + (int)stream.Length;

    private static Func<int, int> CapturingAnAbstractClass(Shape shape) => x => x + shape.Sides;

    private static Func<int, int> CapturingAnUnserializable(Unserializable value) => x => x + value.GetHashCode();

    private static Func<int, int> CapturingABadOuterVariable(object outer)
    {
        Func<int, int>? result = null;
        foreach (var inner in new[] { 1 })
            result = x => x + inner + (int)outer;
        return result!;
    }

    [Theory]
    [InlineData("stream", "captures the variable 'stream' declared as System.IO.Stream")]
    [InlineData("abstract class", "captures the variable 'shape' declared as ActorPool.Tests.Remote.WireTests+Shape")]
    [InlineData("outer scope", "captures the variable 'outer' declared as System.Object")]
    [InlineData("unserializable", "captures the variable 'value' of type ActorPool.Tests.Remote.WireTests+Unserializable, whose value cannot be serialized")]
    public void Closure_CapturingWhatCannotTravel_IsRefusedNamingTheVariable(string capture, string message)
    {
        var func = capture switch
        {
            "stream" => CapturingAStream(Stream.Null),
            "abstract class" => CapturingAnAbstractClass(null!),
            "outer scope" => CapturingABadOuterVariable(1),
            _ => CapturingAnUnserializable(new Unserializable()),
        };
        var error = Assert.Throws<ArgumentException>(() => WireFunction.Freeze(func, "func"));
        Assert.Equal("func", error.ParamName);
        Assert.Contains(message, error.Message);
        Assert.DoesNotContain("..", error.Message); // an inner message's own period is not doubled
        // A closure is still refused where a function must be found again by name alone (a durable job, RetryIf).
        Assert.Contains("captures variables", Assert.Throws<ArgumentException>(() => FunctionRef.Create(CapturingAStream(Stream.Null), "options.RetryIf")).Message);
    }

    /// <summary>The lambda method of a closure class in the framework, which no test trusts.</summary>
    private static MethodInfo FrameworkClosureMethod() =>
        typeof(object).Assembly.GetTypes().Where(ClosureShape.IsClosure)
            .SelectMany(type => type.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .First(method => method.Name.StartsWith('<'));

    [Fact]
    public void CapturedValues_ForAClosureInAnAssemblyNotTrusted_AreNotDecoded()
    {
        var method = FrameworkClosureMethod();
        var forged = new WireFunction(new FunctionRef(method.Module.Assembly.FullName!, method.Module.ModuleVersionId, method.MetadataToken, "forged"),
            Captures: [0x90]);
        var work = new EncodedWork(forged, WireCodec.EncodeItems(new[] { 1 }), 1, rules: null);
        var failure = Assert.Single(((EncodedChunkResult)work.Execute(1, 0, 0)).Failures!);
        Assert.Contains("not one this process trusts", failure.Error.Message);
    }

    [Fact]
    public void CapturedValues_ForAMethodThatIsNotALambdasOnItsClosure_AreRefusedWithoutMakingAnything()
    {
        var forged = new WireFunction(FunctionRef.Create((Func<int, int>)AddOne, "func"), Captures: [0x90]);
        var result = RunEncoded<int>(new EncodedWork(forged, WireCodec.EncodeItems(new[] { 1 }), 1, rules: null));
        Assert.Contains("is not a lambda that captures variables", Assert.Single(result.Failures!).Error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x90 }, "0 for a closure of 1 variables")] // [] for [factor]
    [InlineData(new byte[] { 0x91, 0xA1, 0x78 }, "The captured variable 'factor' of type System.Int32 cannot be read")] // ["x"]
    [InlineData(new byte[] { 0x91, 0x01, 0x01 }, "bytes left over")]
    [InlineData(new byte[] { 0xDD, 0x7F, 0xFF, 0xFF, 0xFF }, "Malformed captured values")] // an array header of 2^31 - 1 fields, and no fields
    public void CapturedValues_Malformed_FailTheirChunkNamingTheProblem(byte[] captures, string message)
    {
        var factor = 2;
        var frozen = WireFunction.Of(WireFunction.Freeze<Func<int, int>>(x => x * factor, "func"), "func");
        var result = RunEncoded<int>(new EncodedWork(frozen with { Captures = captures }, WireCodec.EncodeItems(new[] { 1 }), 1, rules: null));
        var error = Assert.Single(result.Failures!).Error;
        Assert.IsType<SerializationException>(error);
        Assert.Contains(message, error.Message);
    }
}
