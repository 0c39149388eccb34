using ActorPool.Protocol;

namespace ActorPool.Tests.Workers;

public sealed class TaskCancellationTests
{
    [Fact]
    public void Cancel_CancelsTheTokensOfTheJobsRunningTasksOnly()
    {
        var tasks = new TaskCancellation();
        var first = tasks.Acquire(1, 0);
        var other = tasks.Acquire(2, 0);

        tasks.Cancel(1);

        Assert.True(SpinWait.SpinUntil(() => first.IsCancellationRequested, Gate.Limit)); // cancelled on the thread pool
        Assert.False(other.IsCancellationRequested);
        Assert.True(tasks.IsCancelled(1));
        Assert.False(tasks.IsCancelled(2));
    }

    [Fact]
    public void Acquire_AfterTheJobWasCancelled_ReturnsACancelledToken()
    {
        var tasks = new TaskCancellation();
        tasks.Cancel(5);
        Assert.True(tasks.Acquire(5, 0).IsCancellationRequested);
        tasks.Release(5, 0);
        Assert.False(tasks.Acquire(6, 0).IsCancellationRequested);
    }

    [Fact]
    public async Task CallbacksOnAToken_DoNotRunOnTheCancellingThread()
    {
        var tasks = new TaskCancellation();
        var token = tasks.Acquire(1, 0);
        var gate = new Gate();
        var ran = new TaskCompletionSource();
        token.Register(() =>
        {
            gate.Pass(); // run inside Cancel, this would block it until the gate's limit, then throw out of it
            ran.SetResult();
        });

        tasks.Cancel(1);
        gate.Open();

        await ran.Task.WaitAsync(Gate.Limit);
    }

    [Fact]
    public void CancelAll_CancelsRunningTasksAndEveryJobToCome()
    {
        var tasks = new TaskCancellation();
        var running = tasks.Acquire(1, 0);

        tasks.CancelAll();

        Assert.True(SpinWait.SpinUntil(() => running.IsCancellationRequested, Gate.Limit));
        Assert.True(tasks.IsCancelled(99));
        Assert.True(tasks.Acquire(99, 0).IsCancellationRequested);
    }

    [Fact]
    public void CancelChunk_CancelsThatChunksTokenAndNotItsJobsOthers()
    {
        var tasks = new TaskCancellation();
        var loser = tasks.Acquire(1, 7);
        var sibling = tasks.Acquire(1, 8);

        tasks.CancelChunk(1, 7);

        Assert.True(SpinWait.SpinUntil(() => loser.IsCancellationRequested, Gate.Limit));
        Assert.False(sibling.IsCancellationRequested);
        Assert.True(tasks.IsCancelled(1, 7));
        Assert.False(tasks.IsCancelled(1, 8));
        Assert.False(tasks.IsCancelled(1));
        Assert.True(tasks.Acquire(1, 7).IsCancellationRequested); // a copy not started yet
    }

    [Fact]
    public void Cancel_CancelsEveryChunkOfTheJobRunningHere()
    {
        var tasks = new TaskCancellation();
        var first = tasks.Acquire(3, 0);
        var second = tasks.Acquire(3, 1);
        tasks.Cancel(3);
        Assert.True(SpinWait.SpinUntil(() => first.IsCancellationRequested && second.IsCancellationRequested, Gate.Limit));
        Assert.True(tasks.IsCancelled(3, 5));
    }

    [Fact]
    public void CancelledJobs_AreRememberedUpToTheBound()
    {
        var tasks = new TaskCancellation();
        for (var job = 0; job <= TaskCancellation.RememberedJobs; job++)
            tasks.Cancel(job);
        Assert.False(tasks.IsCancelled(0)); // the oldest was forgotten
        Assert.True(tasks.IsCancelled(1));
        Assert.True(tasks.IsCancelled(TaskCancellation.RememberedJobs));
    }

    [Fact]
    public void ATokenSharedByTwoTasks_IsKeptUntilBothReleaseIt()
    {
        var tasks = new TaskCancellation();
        var first = tasks.Acquire(1, 0);
        var second = tasks.Acquire(1, 0);
        Assert.Equal(first, second);
        tasks.Release(1, 0);
        tasks.Cancel(1);
        Assert.True(SpinWait.SpinUntil(() => second.IsCancellationRequested, Gate.Limit));
        tasks.Release(1, 0);
    }
}
