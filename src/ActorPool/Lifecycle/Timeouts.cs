namespace ActorPool.Lifecycle;

/// <summary>Validates the optional timeouts of <c>Get</c>, <c>Wait</c> and <c>Next</c>.</summary>
internal static class Timeouts
{
    /// <summary>
    /// Milliseconds for a wait: null or <see cref="Timeout.InfiniteTimeSpan"/> wait without limit;
    /// any other negative value, or one past <see cref="int.MaxValue"/> milliseconds, is refused.
    /// </summary>
    public static int ToMilliseconds(TimeSpan? timeout, string paramName)
    {
        if (timeout is not { } value || value == Timeout.InfiniteTimeSpan)
            return Timeout.Infinite;
        if (value < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(paramName, value, "A timeout must not be negative; pass null to wait without limit.");
        var milliseconds = Math.Ceiling(value.TotalMilliseconds);
        if (milliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(paramName, value, $"A timeout must be at most {int.MaxValue} ms; pass null to wait without limit.");
        return (int)milliseconds;
    }
}
