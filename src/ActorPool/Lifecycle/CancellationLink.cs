namespace ActorPool.Lifecycle;

/// <summary>
/// A job's link to its caller's <see cref="CancellationToken"/>: cancelling the token runs the
/// job's cancellation once; the job's end unregisters it, so a long-lived token does not keep
/// finished jobs alive.
/// </summary>
internal sealed class CancellationLink
{
    private readonly object _gate = new();
    private CancellationTokenRegistration _registration;
    private bool _ended;

    /// <summary>The exception a job cancelled by <paramref name="token"/> fails with.</summary>
    public static OperationCanceledException Cancelled(CancellationToken token) =>
        new("The job was cancelled: its CancellationToken was cancelled.", token);

    /// <summary>
    /// Links a job to <paramref name="token"/>: a new link is published in <paramref name="slot"/>,
    /// runs <paramref name="onCancel"/> when the token is cancelled, and is ended at once if the job
    /// has ended meanwhile (<paramref name="ended"/> is not 0).
    /// </summary>
    /// <remarks>
    /// The job marks <paramref name="ended"/> and then reads <paramref name="slot"/> to end the
    /// link; this publishes the link and then reads <paramref name="ended"/>. Both with full
    /// fences, so one of the two always sees the other's write: a link is never left registered.
    /// </remarks>
    public static void Link(ref CancellationLink? slot, ref int ended, CancellationToken token, Action onCancel)
    {
        var link = new CancellationLink();
        Interlocked.Exchange(ref slot, link);
        link.Attach(token, onCancel);
        if (Volatile.Read(ref ended) != 0)
            link.End();
    }

    /// <summary>
    /// Runs <paramref name="onCancel"/> when <paramref name="token"/> is cancelled, unless the job
    /// has ended first; at once, on this thread, if it is cancelled already.
    /// </summary>
    public void Attach(CancellationToken token, Action onCancel)
    {
        if (!token.CanBeCanceled)
            return;
        var registration = token.Register(onCancel);
        lock (_gate)
        {
            if (!_ended)
            {
                _registration = registration;
                return;
            }
        }
        registration.Dispose(); // ended meanwhile
    }

    /// <summary>The job has ended: its token no longer matters. Idempotent.</summary>
    public void End()
    {
        CancellationTokenRegistration registration;
        lock (_gate)
        {
            _ended = true;
            registration = _registration;
            _registration = default;
        }
        registration.Dispose();
    }
}
