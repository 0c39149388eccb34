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
    /// Writes the recorded results into <paramref name="results"/> and returns the ranges of items,
    /// in order, that they did not cover: what is left to run.
    /// </summary>
    /// <exception cref="InvalidOperationException">A record does not fit the job (it was written for other inputs).</exception>
    public List<(int Start, int Count)> Restore<TResult>(TResult[] results)
    {
        if (_recorded.Count == 0)
            return [(0, results.Length)];
        var covered = new bool[results.Length];
        foreach (var (offset, count, encoded) in _recorded)
        {
            var values = JournalValues.Decode<TResult>(encoded);
            if (offset < 0 || count != values.Length || offset + count > results.Length)
                throw new InvalidOperationException($"The journal {_journal.Path} holds results of job '{Id}' that do not fit its {results.Length} items.");
            Array.Copy(values, 0, results, offset, count);
            Array.Fill(covered, true, offset, count);
        }
        var left = new List<(int, int)>();
        for (var start = 0; start < covered.Length;)
        {
            if (covered[start])
            {
                start++;
                continue;
            }
            var end = start;
            while (end < covered.Length && !covered[end])
                end++;
            left.Add((start, end - start));
            start = end;
        }
        return left;
    }

    /// <summary>
    /// Records the results of the chunk at <paramref name="offset"/>: values of a primitive type
    /// copied now, others read from <paramref name="results"/> when the journal writes them (within
    /// its commit interval, and before the job's result is set). The caller never writes that part
    /// of the array again.
    /// </summary>
    public void Record<TResult>(TResult[] results, int offset, int count)
    {
        if (JournalValues.IsRaw<TResult>())
        {
            // Copied now: the job may return before its last commit, and its caller may then change
            // the array it got, which is this one.
            var copied = JournalValues.Encode<TResult>(results.AsSpan(offset, count));
            _journal.Enqueue(new JournalWrite.Chunk(this, offset, count, () => copied));
            return;
        }
        Volatile.Write(ref _wireEncoded, true); // its job waits for its commit, so the array is read before the caller gets it
        _journal.Enqueue(new JournalWrite.Chunk(this, offset, count, () => JournalValues.Encode<TResult>(results.AsSpan(offset, count))));
    }

    private bool _wireEncoded; // a value was recorded in the wire format, whose encoding can fail

    /// <summary>
    /// Every item is recorded: marks the job finished, and returns once that is committed, or, if
    /// every value it recorded is of a primitive type, at once; the job has ended.
    /// </summary>
    /// <remarks>
    /// Values of a primitive type are copied (<see cref="JournalValues"/>), which cannot fail, so a
    /// job of them need not wait for its last commit to learn that it was recorded: the commit
    /// follows at once (the journal's writer is woken), a driver killed in between re-runs on a
    /// resume at most the items of that last commit (as a driver killed mid-job does), a job begun
    /// again in this pool waits for it, and a file that cannot be written then is logged (the job
    /// is not marked finished, so its next run resumes it). Other values are encoded in the wire
    /// format, which fails for values it cannot serialize: their job waits, and fails if so.
    /// </remarks>
    /// <exception cref="Exception">A chunk could not be recorded (<see cref="Failure"/>): the job is not marked finished.</exception>
    public async Task FinishAsync()
    {
        try
        {
            _journal.Enqueue(new JournalWrite.Finished(this));
            if (Volatile.Read(ref _wireEncoded))
                await _journal.Flush().ConfigureAwait(false);
            else
                _journal.FlushSoon();
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
