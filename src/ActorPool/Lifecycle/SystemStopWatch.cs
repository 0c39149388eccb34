using Akka;
using Akka.Actor;

namespace ActorPool.Lifecycle;

/// <summary>
/// Tells a pool when the ActorSystem under it stops, however that happens: its coordinated
/// shutdown starting (SIGTERM through Akka's CLR hook, a Generic Host stopping, a call to
/// <c>CoordinatedShutdown.Run</c>), or the system terminating without one. The pool then fails
/// every outstanding result at once instead of leaving callers waiting on actors that are gone.
/// </summary>
/// <remarks>
/// The shutdown task and the termination continuation hold only this small object, and
/// <see cref="Dispose"/> drops the pool's callback: a pool disposed in a long-lived system that is
/// not its own stays collectable, although Akka offers no way to remove a shutdown task.
/// </remarks>
internal sealed class SystemStopWatch : IDisposable
{
    private Action? _onStop;

    /// <param name="onStop">Called once, when the system <see cref="Arm"/> names begins to stop.</param>
    public SystemStopWatch(Action onStop) => _onStop = onStop;

    /// <summary>
    /// Starts watching <paramref name="system"/>. <c>onStop</c> may run before this returns (the
    /// system is stopping already): whoever holds the watch must have stored it first.
    /// </summary>
    public void Arm(ActorSystem system, string name)
    {
        // The first phase: results fail before the pool's actors (and the cluster membership) go.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, $"{name}-stop", () =>
        {
            Fire();
            return Task.FromResult(Done.Instance);
        });
        // A system terminated without running its coordinated shutdown (or one already past the
        // first phase when the task was added) still ends the pool.
        system.WhenTerminated.ContinueWith(static (_, state) => ((SystemStopWatch)state!).Fire(), this,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Fire() => Interlocked.Exchange(ref _onStop, null)?.Invoke();

    /// <summary>The pool has stopped by itself: forget it.</summary>
    public void Dispose() => Interlocked.Exchange(ref _onStop, null);
}
