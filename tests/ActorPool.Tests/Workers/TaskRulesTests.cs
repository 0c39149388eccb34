using ActorPool.Protocol;

namespace ActorPool.Tests.Workers;

public sealed class TaskRulesTests
{
    [Fact]
    public void DelayBefore_DoublesFromTheRetryDelayAndIsBounded()
    {
        var retry = new TaskRules(100, TimeSpan.FromMilliseconds(10), null);
        Assert.Equal([10, 20, 40, 80], Enumerable.Range(1, 4).Select(n => retry.DelayBefore(n).TotalMilliseconds));
        Assert.Equal(TaskRules.MaxDelay, retry.DelayBefore(100));
        Assert.Equal(TimeSpan.Zero, new TaskRules(3, TimeSpan.Zero, null).DelayBefore(3));
    }

    [Fact]
    public void Of_OptionsWithoutRetries_IsNoRule()
    {
        Assert.Null(TaskRules.Of(null));
        Assert.Null(TaskRules.Of(new JobOptions { RetryDelay = TimeSpan.FromSeconds(1) }));
        Assert.Equal(2, TaskRules.Of(new JobOptions { Retries = 2 })!.Retries);
    }

    [Fact]
    public void RunAgain_SucceedsOnALaterAttempt_ReturnsNull()
    {
        var runs = 0;
        Assert.Null(new TaskRules(3, TimeSpan.Zero, null).RunAgain(() => { if (++runs < 3) throw new InvalidOperationException(); }, new FormatException()));
        Assert.Equal(3, runs);
    }

    [Fact]
    public void RunAgain_EveryAttemptFails_ReturnsTheLastError()
    {
        var runs = 0;
        var error = new TaskRules(2, TimeSpan.Zero, null).RunAgain(() => throw new InvalidOperationException($"run {++runs}"), new FormatException());
        Assert.Equal("run 2", error!.Message);
    }

    [Fact]
    public void RunAgain_RetryIfRefuses_ReturnsTheErrorWithoutRunning()
    {
        var first = new FormatException();
        Assert.Same(first, new TaskRules(2, TimeSpan.Zero, error => error is TimeoutException).RunAgain(() => Assert.Fail("ran"), first));
    }
}
