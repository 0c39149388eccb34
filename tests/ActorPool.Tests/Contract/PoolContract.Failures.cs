using System.Diagnostics;

namespace ActorPool.Tests.Contract;

/// <summary>Whatever a task throws, the caller gets a failure that keeps what the exception says.</summary>
public abstract partial class PoolContract
{
    /// <summary>An exception whose every getter of note throws.</summary>
    public sealed class BadGettersException : Exception
    {
        public BadGettersException(string message)
            : base(message)
        {
        }

        public override string Message => throw new NotSupportedException("Message is broken");

        public override string StackTrace => throw new NotSupportedException("StackTrace is broken");
    }

    internal static int ThrowBadGetters(int x) => throw new BadGettersException("unreadable");

    internal static int ThrowHugeMessage(int x) => throw new InvalidOperationException(new string('x', 20_000_000));

    internal static int ThrowArgument(int x) => throw new ArgumentException("custom message", "value");

    internal static int ThrowOutOfRange(int x) => throw new ArgumentOutOfRangeException("count", 42, "too many");

    internal static int ThrowNull(int x) => throw new ArgumentNullException("name", "name is needed");

    internal static int ThrowChain(int x) =>
        throw new InvalidOperationException("outer", new FormatException("middle", new ArithmeticException("inner")));

    internal static int ThrowAggregate(int x) =>
        throw new AggregateException("several", new FormatException("first"), new ArgumentNullException("second"));

    [Fact]
    public void TaskThrowsExceptionWhoseGettersThrow_EveryCallerStillGetsTheFailure()
    {
        // Traced, as when any listener samples the ActorPool source (another test's, in this
        // process): a job's activity takes the failure's message as its status, and reading it
        // once threw in the job's end, so the caller was never given the failure.
        using var recorder = new ActivityRecorder();
        using var pool = NewPool();
        Assert.Throws<BadGettersException>(() => pool.MapAsync(ThrowBadGetters, [1, 2, 3]).Get(Limit)); // first: no wait forever
        Assert.Throws<BadGettersException>(() => pool.Map(ThrowBadGetters, [1, 2, 3]));
        Assert.Throws<BadGettersException>(() => pool.Apply(ThrowBadGetters, 1));
        Assert.Throws<BadGettersException>(() => pool.ApplyAsync(ThrowBadGetters, 1).Get(Limit));
        Assert.Equal([2, 3], pool.Map(Func, [1, 2])); // and the pool carries on
        var failed = recorder.JobsOf(pool).Where(job => job.Status == ActivityStatusCode.Error).ToList();
        Assert.Equal(4, failed.Count);
        Assert.All(failed, job => Assert.Contains("Message could not be read", job.StatusDescription));
    }

    [Fact]
    public void TaskThrowsExceptionWithHugeMessage_CallerGetsItsStart()
    {
        using var pool = NewPool();
        var error = Assert.Throws<InvalidOperationException>(() => pool.Apply(ThrowHugeMessage, 1));
        Assert.StartsWith(new string('x', 1000), error.Message);
        Assert.Equal([2, 3], pool.Map(Func, [1, 2]));
    }

    [Fact]
    public void TaskThrowsArgumentExceptions_ParamNameAndMessageAreKept()
    {
        using var pool = NewPool();
        var argument = Assert.Throws<ArgumentException>(() => pool.Apply(ThrowArgument, 1));
        Assert.Equal("value", argument.ParamName);
        Assert.Equal(new ArgumentException("custom message", "value").Message, argument.Message);
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Apply(ThrowOutOfRange, 1));
        Assert.Equal("count", outOfRange.ParamName);
        Assert.Equal(new ArgumentOutOfRangeException("count", 42, "too many").Message, outOfRange.Message);
        var isNull = Assert.Throws<ArgumentNullException>(() => pool.Apply(ThrowNull, 1));
        Assert.Equal("name", isNull.ParamName);
        Assert.Equal(new ArgumentNullException("name", "name is needed").Message, isNull.Message);
    }

    [Fact]
    public void TaskThrowsExceptionWithInnerExceptions_TheChainAndAggregatesAreKept()
    {
        using var pool = NewPool();
        var outer = Assert.Throws<InvalidOperationException>(() => pool.Apply(ThrowChain, 1));
        Assert.Equal("outer", outer.Message);
        var middle = Assert.IsType<FormatException>(outer.InnerException);
        Assert.Equal("middle", middle.Message);
        Assert.Equal("inner", Assert.IsType<ArithmeticException>(middle.InnerException).Message);

        var aggregate = Assert.Throws<AggregateException>(() => pool.Apply(ThrowAggregate, 1));
        Assert.Equal(2, aggregate.InnerExceptions.Count);
        Assert.Equal("first", Assert.IsType<FormatException>(aggregate.InnerExceptions[0]).Message);
        Assert.Equal("second", Assert.IsType<ArgumentNullException>(aggregate.InnerExceptions[1]).ParamName);
        Assert.Equal(new AggregateException("several", new FormatException("first"), new ArgumentNullException("second")).Message, aggregate.Message);
    }
}
