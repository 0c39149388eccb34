using System.Runtime.CompilerServices;
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
/// Akka offers no way to remove a coordinated-shutdown task, so each system gets one shutdown task
/// and one termination continuation for all the pools in it (<see cref="Watchers"/>), and a pool's
/// <see cref="Dispose"/> takes its watch out of that set: any number of pools created and disposed
/// in a long-lived system that is not their own leave nothing behind in it.
/// </remarks>
internal sealed class SystemStopWatch : IDisposable
{
    private static readonly ConditionalWeakTable<ActorSystem, Watchers> BySystem = new();

    private Action? _onStop;
    private Watchers? _watchers;

    /// <param name="onStop">Called once, when the system <see cref="Arm"/> names begins to stop.</param>
    public SystemStopWatch(Action onStop) => _onStop = onStop;

    /// <summary>
    /// Starts watching <paramref name="system"/>. <c>onStop</c> may run before this returns (the
    /// system is stopping already): whoever holds the watch must have stored it first.
    /// </summary>
    public void Arm(ActorSystem system)
    {
        _watchers = BySystem.GetValue(system, static system => new Watchers(system));
        _watchers.Add(this);
    }

    private void Fire() => Interlocked.Exchange(ref _onStop, null)?.Invoke();

    /// <summary>The pool has stopped by itself: forget it.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _onStop, null);
        _watchers?.Remove(this);
    }

    /// <summary>The watches of the pools in one system, and the one hook that fires them all.</summary>
    private sealed class Watchers
    {
        private readonly HashSet<SystemStopWatch> _watches = [];
        private bool _stopped;

        public Watchers(ActorSystem system)
        {
            // The first phase: results fail before the pools' actors (and the cluster membership) go.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "actorpool-stop", () =>
            {
                FireAll();
                return Task.FromResult(Done.Instance);
            });
            // A system terminated without running its coordinated shutdown (or one already past the
            // first phase when the task was added) still ends its pools.
            system.WhenTerminated.ContinueWith(static (_, state) => ((Watchers)state!).FireAll(), this,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        public void Add(SystemStopWatch watch)
        {
            lock (_watches)
            {
                if (!_stopped)
                {
                    _watches.Add(watch);
                    return;
                }
            }
            watch.Fire(); // armed after the system began to stop
        }

        public void Remove(SystemStopWatch watch)
        {
            lock (_watches)
                _watches.Remove(watch);
        }

        private void FireAll()
        {
            SystemStopWatch[] watches;
            lock (_watches)
            {
                _stopped = true;
                watches = [.. _watches];
                _watches.Clear();
            }
            // Outside the lock: a pool's stop may dispose its watch, which takes the lock.
            foreach (var watch in watches)
                watch.Fire();
        }
    }
}
