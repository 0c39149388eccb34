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
}
