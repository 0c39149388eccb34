using ActorPool.Journal;
using CsCheck;

namespace ActorPool.Tests.Journal;

public sealed class JournalValuesTests
{
    [Fact]
    public void Encode_PrimitiveValues_AreTheirOwnBytesAndComeBackEqual()
    {
        double[] values = [0.0, -0.0, double.NaN, 1.5, double.MaxValue];
        var blob = JournalValues.Encode<double>(values);
        Assert.Equal(1 + values.Length * sizeof(double), blob.Length);
        Assert.Equal(values, JournalValues.Decode<double>(blob));
    }

    [Fact]
    public void Encode_OtherValues_AreTheWireFormAndComeBackEqual()
    {
        string?[] values = ["a", null, ""];
        Assert.Equal(values, JournalValues.Decode<string?>(JournalValues.Encode<string?>(values)));
        decimal[] amounts = [1.5m, 1.50m]; // not a primitive: kept in the wire form, scale and all
        Assert.Equal(["1.5", "1.50"], JournalValues.Decode<decimal>(JournalValues.Encode<decimal>(amounts)).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Decode_RawValuesAsAnotherType_IsRefused()
    {
        var blob = JournalValues.Encode<int>([1, 2, 3]);
        Assert.Throws<InvalidOperationException>(() => JournalValues.Decode<long>(blob)); // 12 bytes are no whole number of longs
        Assert.Throws<InvalidOperationException>(() => JournalValues.Decode<string>(blob));
    }

    [Fact]
    public void EncodeThenDecode_AnyIntsOrLongs_GivesThemBack()
    {
        Gen.Int.Array.Sample(values => Assert.Equal(values, JournalValues.Decode<int>(JournalValues.Encode<int>(values))));
        Gen.Long.Array.Sample(values => Assert.Equal(values, JournalValues.Decode<long>(JournalValues.Encode<long>(values))));
    }

    [Fact]
    public void Fingerprint_OfPrimitiveInputs_ChangesWithAnyValue_AndNotFromRunToRun()
    {
        Func<int, int> twice = Twice;
        int[] items = [1, 2, 3];
        Assert.Equal(JobFingerprint.Of(twice, items), JobFingerprint.Of(twice, (int[])[1, 2, 3]));
        Assert.NotEqual(JobFingerprint.Of(twice, items), JobFingerprint.Of(twice, (int[])[1, 2, 4]));
        Func<string, int> length = Length;
        Assert.NotEqual(JobFingerprint.Of(length, (string[])["a", "b"]), JobFingerprint.Of(length, (string[])["a", "c"]));
    }

    private static int Twice(int x) => 2 * x;

    private static int Length(string s) => s.Length;
}
