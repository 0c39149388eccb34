using ActorPool.Testing;

namespace ActorPool.Tests.Remote;

/// <summary>What a refused pool sees.</summary>
internal static class Refused
{
    /// <summary>Asserts that <paramref name="job"/> ended, within the tests' limit, failing for want of a worker (its pool never got one), not by running.</summary>
    public static void NeverHadAWorker<T>(AsyncResult<T> job)
    {
        Assert.True(job.Wait(Gate.Limit), "The refused pool's job never ended.");
        Assert.False(job.Successful());
        Assert.IsType<TimeoutException>(Assert.ThrowsAny<Exception>(() => job.Get()));
    }
}
