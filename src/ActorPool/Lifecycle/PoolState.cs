namespace ActorPool.Lifecycle;

/// <summary>A pool's lifecycle, as CPython's <c>pool.py</c> has it: it only ever moves forward.</summary>
internal enum PoolState
{
    /// <summary>Accepts work.</summary>
    Running,

    /// <summary><c>Close()</c> was called: no new work; submitted work runs to the end.</summary>
    Closing,

    /// <summary><c>Terminate()</c> was called: no new work; outstanding results have failed.</summary>
    Terminated,
}
