using ActorPool.Remote;
using MessagePack;

namespace ActorPool.Journal;

/// <summary>
/// One durable job in its pool's <see cref="JobJournal"/>: what the journal held of it when it was
/// submitted, and where its coordinator records each chunk's results as they arrive.
/// </summary>
internal sealed class JournaledJob
{
    private readonly JobJournal _journal;
    private readonly List<(int Offset, int Count, byte[] Results)> _recorded;

    public JournaledJob(JobJournal journal, string id, List<(int Offset, int Count, byte[] Results)> recorded)
    {
        _journal = journal;
        Id = id;
        _recorded = recorded;
    }

    /// <summary>The job's id (<see cref="JobOptions.JobId"/>).</summary>
    public string Id { get; }

    /// <summary>Why a chunk of this run could not be recorded; null while every one was.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    private Exception? _failure;

    /// <summary>A chunk of this run could not be recorded: the job is not finished, and fails with <paramref name="error"/> (the first).</summary>
    internal void Fail(Exception error) => Interlocked.CompareExchange(ref _failure, error, null);

    /// <summary>
    /// Writes the recorded results into <paramref name="results"/> and returns which items they
    /// covered; what is not covered is what is left to run.
    /// </summary>
    /// <exception cref="InvalidOperationException">A record does not fit the job (it was written for other inputs).</exception>
    public bool[] Restore<TResult>(TResult[] results)
    {
        var covered = new bool[results.Length];
        foreach (var (offset, count, encoded) in _recorded)
        {
            var values = MessagePackSerializer.Deserialize<TResult[]>(encoded, WireCodec.Options);
            if (offset < 0 || count != values.Length || offset + count > results.Length)
                throw new InvalidOperationException($"The journal {_journal.Path} holds results of job '{Id}' that do not fit its {results.Length} items.");
            Array.Copy(values, 0, results, offset, count);
            Array.Fill(covered, true, offset, count);
        }
        return covered;
    }

    /// <summary>
    /// Records the results of the chunk at <paramref name="offset"/>, read from
    /// <paramref name="results"/> when the journal writes them (within its commit interval). The
    /// caller never writes that part of the array again.
    /// </summary>
    public void Record<TResult>(TResult[] results, int offset, int count) =>
        _journal.Enqueue(new JournalWrite.Chunk(this, offset, count, () => WireCodec.EncodeValues(results.AsSpan(offset, count).ToArray())));

    /// <summary>Every item is recorded: marks the job finished, and returns once that is committed; the job has ended.</summary>
    /// <exception cref="Exception">A chunk could not be recorded (<see cref="Failure"/>): the job is not marked finished.</exception>
    public async Task FinishAsync()
    {
        try
        {
            _journal.Enqueue(new JournalWrite.Finished(this));
            await _journal.Flush().ConfigureAwait(false);
            if (Failure is { } failure)
                throw failure;
        }
        finally
        {
            _journal.Ended(Id);
        }
    }

    /// <summary>Returns once everything recorded so far is committed; the job has ended without finishing.</summary>
    public async Task FlushAsync()
    {
        try
        {
            await _journal.Flush().ConfigureAwait(false);
        }
        finally
        {
            _journal.Ended(Id);
        }
    }
}
