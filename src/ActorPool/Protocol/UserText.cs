using Akka.Event;

namespace ActorPool.Protocol;

/// <summary>
/// Text that user code gives (an exception's <see cref="Exception.Message"/> or
/// <see cref="Exception.StackTrace"/>, a value's <see cref="object.ToString"/>), read without
/// ever throwing. A task's exception type is rebuilt wherever its result arrives, so its getters
/// run in the driver too: in a coordinator, a router, or a job's end, where a throw would lose the
/// job's state and leave its caller waiting.
/// </summary>
internal static class UserText
{
    /// <summary>What <paramref name="getter"/> returns, or a note naming <paramref name="what"/> if it throws.</summary>
    public static string? Read(Func<string?> getter, string what)
    {
        try
        {
            return getter();
        }
        catch (Exception ex)
        {
            return $"[{what} could not be read: its getter threw {ex.GetType().FullName}]";
        }
    }

    /// <summary><paramref name="error"/>'s message, or a note if its getter throws; never null.</summary>
    public static string MessageOf(Exception error) => Read(() => error.Message, "the exception's Message") ?? "";

    /// <summary>
    /// Logs <paramref name="message"/> at <paramref name="level"/> with <paramref name="error"/>, an
    /// exception of user code: as the cause when it can be printed, or else with what can be read
    /// of it. A logger prints a cause with <see cref="Exception.ToString"/>, which reads its
    /// getters; one that threw there crashed Akka's default logger, which then logged its own
    /// failure to log, nested, in a loop (600 KB of output for three such exceptions).
    /// </summary>
    public static void Log(ILoggingAdapter log, LogLevel level, Exception error, string message)
    {
        bool printable;
        try
        {
            _ = error.ToString();
            printable = true;
        }
        catch (Exception)
        {
            printable = false;
        }
        if (printable)
            log.Log(level, error, "{0}", message);
        else
            log.Log(level, "{0} {1}: {2}{3}{4}", [message, error.GetType().FullName, MessageOf(error), Environment.NewLine,
                Read(() => error.StackTrace, "the exception's StackTrace")]);
    }
}
