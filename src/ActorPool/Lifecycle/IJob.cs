namespace ActorPool.Lifecycle;

/// <summary>Something a caller waits on, registered with the <see cref="JobRegistry"/> until it has finished.</summary>
internal interface IJob
{
    /// <summary>The pool was terminated: fail whatever has not completed with <paramref name="reason"/>.</summary>
    void Abort(Exception reason);

    /// <summary>The pool is being joined: stop holding work back for a consumer, so the job can end without one.</summary>
    void OnJoin();
}
