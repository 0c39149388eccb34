using ActorPool.Observability;
using ActorPool.Tests.Contract;

namespace ActorPool.Tests.Observability;

public sealed class WorkerBoardTests
{
    [Fact]
    public void Alerts_FailureWhoseMessageGetterThrows_AreRaisedWithANote()
    {
        var board = new WorkerBoard(id => $"map #{id}");
        using var watching = board.Watch();
        var error = new PoolContract.BadGettersException("unreadable");
        board.Failed("map #1", 3, error); // in the coordinator that counts them
        board.JobEnded("map #1", cancelled: false, error); // in the job's end
        var cursor = 0L;
        var alerts = board.AlertsSince(ref cursor);
        Assert.Equal(
            ["map #1: 3 items failed: BadGettersException: [the exception's Message could not be read: its getter threw System.NotSupportedException]",
             "map #1 failed: BadGettersException: [the exception's Message could not be read: its getter threw System.NotSupportedException]"],
            alerts.Select(alert => alert.Text));
    }
}
