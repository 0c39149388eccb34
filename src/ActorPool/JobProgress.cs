namespace ActorPool;

/// <summary>
/// How far a job is, as reported to <see cref="JobOptions.Progress"/>: at least every 250 ms while
/// its counts change, and a last time when it ends, before its result is set (then
/// <see cref="Completed"/> + <see cref="Failed"/> = <see cref="Total"/>).
/// </summary>
/// <param name="Completed">Items that have succeeded.</param>
/// <param name="Failed">Items that have failed. In the last report of a job that ended early (it failed fast, was cancelled or its pool was terminated), the items that never completed count as failed.</param>
/// <param name="Total">Items in the job; null while a lazy input (<c>IMap</c>) has not been read to its end.</param>
/// <param name="Elapsed">Time since the job was submitted.</param>
/// <param name="Remaining">An estimate of the time left, from the pace so far; null while <see cref="Total"/> is unknown or nothing has completed, zero in the last report.</param>
public sealed record JobProgress(long Completed, long Failed, long? Total, TimeSpan Elapsed, TimeSpan? Remaining);
