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
