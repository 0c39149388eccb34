using ActorPool.Protocol;
using ActorPool.Tests.Contract;
using Akka.Event;

namespace ActorPool.Tests.Protocol;

public sealed class UserTextTests
{
    /// <summary>Keeps what is logged, and prints each cause as a logger does, with ToString.</summary>
    private sealed class PrintingLog() : LoggingAdapterBase(DefaultLogMessageFormatter.Instance)
    {
        public List<(LogLevel Level, string Text, Exception? Cause)> Lines { get; } = [];

        public override bool IsDebugEnabled => true;
        public override bool IsErrorEnabled => true;
        public override bool IsInfoEnabled => true;
        public override bool IsWarningEnabled => true;

        protected override void NotifyLog(LogLevel logLevel, object message, Exception? cause = null)
        {
            _ = cause?.ToString(); // throws, as in Akka's default logger, for a cause that cannot be printed
            Lines.Add((logLevel, message.ToString()!, cause));
        }
    }

    [Fact]
    public void MessageOf_GetterThrows_ReturnsANoteNamingWhatThrew()
    {
        Assert.Equal("[the exception's Message could not be read: its getter threw System.NotSupportedException]",
            UserText.MessageOf(new PoolContract.BadGettersException("unreadable")));
        Assert.Equal("plain", UserText.MessageOf(new InvalidOperationException("plain")));
    }

    [Fact]
    public void Log_PrintableException_IsLoggedAsTheCause()
    {
        var log = new PrintingLog();
        var error = new InvalidOperationException("callback bug");
        UserText.Log(log, LogLevel.ErrorLevel, error, "A callback threw.");
        var line = Assert.Single(log.Lines);
        Assert.Equal((LogLevel.ErrorLevel, "A callback threw.", error), (line.Level, line.Text, line.Cause));
    }

    [Fact]
    public void Log_ExceptionWhoseGettersThrow_IsLoggedAsWhatCanBeReadOfIt_NeverThrows()
    {
        var log = new PrintingLog();
        UserText.Log(log, LogLevel.WarningLevel, new PoolContract.BadGettersException("unreadable"), "A callback threw.");
        var line = Assert.Single(log.Lines);
        Assert.Equal(LogLevel.WarningLevel, line.Level);
        Assert.Null(line.Cause);
        Assert.StartsWith("A callback threw. ActorPool.Tests.Contract.PoolContract+BadGettersException: [the exception's Message could not be read", line.Text);
        Assert.Contains("[the exception's StackTrace could not be read", line.Text);
    }
}
