namespace ActorPool;

/// <summary>How a pool picks the worker that runs each chunk.</summary>
public enum PoolRouting
{
    /// <summary>Akka's round-robin router: chunks go to the workers in turn, whatever they are doing.</summary>
    RoundRobin,

    /// <summary>
    /// Akka's smallest-mailbox router: a chunk goes to the worker with the fewest queued messages.
    /// It sees queue length only, so a worker busy with a long task but with an empty mailbox wins.
    /// </summary>
    SmallestMailbox,

    /// <summary>
    /// The default. Work waits in the pool's router and each worker holds at most a small batch of
    /// it; a worker gets more when it has room, the one with least work in flight first. Balances
    /// tasks of skewed durations, and batches tiny tasks while much work is waiting.
    /// </summary>
    WorkPulling,
}
