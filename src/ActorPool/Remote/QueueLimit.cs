using System.Diagnostics;

namespace ActorPool.Remote;

/// <summary>
/// The work a node holds waiting for its workers (batches received and not yet started, from all
/// peers together), in chunks and in bytes, against the most it takes: what lets the node refuse a
/// batch that would take it past either limit, whoever sent it. Pure and thread-safe: batches are
/// admitted on the threads that deliver messages, and released on the workers' threads.
/// </summary>
/// <remarks>
/// <para>A batch is admitted if, with it, neither count passes its limit, or if nothing waits at
/// all: limits set below one batch of a pool then take that pool's batches one at a time, never
/// none, so a job slows down but never waits for good. What waits is therefore at most the limits,
/// or one batch alone.</para>
/// <para>Every admitted batch is released once, with the counts it was admitted with (the caller
/// keeps them: they are the batch's own), so the counts return to zero whatever happens to the
/// batches in between. One lock guards the three counts, so each decision sees them together.</para>
/// </remarks>
internal sealed class QueueLimit
{
    private readonly object _gate = new();
    private int _batches;
    private long _chunks;
    private long _bytes;

    /// <param name="maxChunks">Chunks that may wait, at least 1.</param>
    /// <param name="maxBytes">Bytes that may wait, at least 1.</param>
    public QueueLimit(long maxChunks, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        MaxChunks = maxChunks;
        MaxBytes = maxBytes;
    }

    public long MaxChunks { get; }

    public long MaxBytes { get; }

    /// <summary>What waits now: batches, their chunks and their bytes, read together.</summary>
    public (int Batches, long Chunks, long Bytes) Waiting
    {
        get
        {
            lock (_gate)
                return (_batches, _chunks, _bytes);
        }
    }

    /// <summary>Admits a batch of <paramref name="chunks"/> chunks and <paramref name="bytes"/> bytes, unless it would take the counts past a limit while anything else waits; false if refused (nothing is counted then).</summary>
    public bool TryAdmit(long chunks, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_gate)
        {
            // Written as differences: a batch alone may have taken a count past its limit, and a peer picks the sizes.
            if (_batches > 0 && (chunks > MaxChunks - _chunks || bytes > MaxBytes - _bytes))
                return false;
            _batches++;
            _chunks += chunks;
            _bytes += bytes;
            CheckInvariants();
            return true;
        }
    }

    /// <summary>A batch admitted with these counts no longer waits (its worker took it, or it was dropped).</summary>
    public void Release(long chunks, long bytes)
    {
        lock (_gate)
        {
            _batches--;
            _chunks -= chunks;
            _bytes -= bytes;
            CheckInvariants();
        }
    }

    // Under the gate.
    [Conditional("DEBUG")]
    private void CheckInvariants()
    {
        Debug.Assert(_batches >= 0 && _chunks >= 0 && _bytes >= 0, "no more is released than was admitted");
        Debug.Assert(_batches > 0 || (_chunks == 0 && _bytes == 0), "nothing is counted once no batch waits");
        Debug.Assert(_batches <= 1 || (_chunks <= MaxChunks && _bytes <= MaxBytes), "only a batch alone passes a limit");
    }
}
