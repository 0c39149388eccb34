using System.Threading.Channels;
using Akka.Event;
using Microsoft.Data.Sqlite;

namespace ActorPool.Journal;

/// <summary>
/// A pool's journal (<see cref="PoolOptions.JournalPath"/>): an SQLite file, in WAL mode, that
/// records the results of durable jobs (<see cref="JobOptions.JobId"/>) as their chunks complete,
/// so that a job whose driver died resumes where it was when the same program runs again.
/// </summary>
/// <remarks>
/// <para>One live pool owns the file: it holds an exclusive lock on <c>path.lock</c> (an advisory
/// <c>flock</c> on Linux) for as long as it lives, which the operating system releases when the
/// process dies, however it dies, so a killed driver leaves nothing that stops its restart.</para>
/// <para>Writes go through one loop: what was recorded since the last commit is committed in one
/// transaction, at most <see cref="CommitInterval"/> apart, and at once when a job finishes. A job
/// begun, or forgotten, waits for what is queued to be committed first, so it sees every job that
/// finished before it.</para>
/// </remarks>
internal sealed class JobJournal : IDisposable
{
    /// <summary>The longest a recorded chunk waits for its commit.</summary>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(200);

    private readonly FileStream _lock;
    private readonly SqliteConnection _connection;
    private readonly Channel<JournalWrite> _writes = Channel.CreateUnbounded<JournalWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _flushNow = new(0);
    private readonly Task _writer;
    private readonly object _gate = new(); // one reader or the writer on the connection at a time
    private readonly HashSet<string> _running = new(); // under _gate: ids of the jobs this pool runs now
    private int _queued; // writes queued and not yet committed (or failed)

    private JobJournal(string path, FileStream fileLock, SqliteConnection connection)
    {
        Path = path;
        _lock = fileLock;
        _connection = connection;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Where a commit that fails is logged, for the jobs that did not wait for it.</summary>
    internal ILoggingAdapter? Log { get; set; }

    /// <summary>The journal's file.</summary>
    public string Path { get; }

    /// <summary>Opens (or creates) the journal at <paramref name="path"/> for this pool alone.</summary>
    /// <exception cref="IOException">Another pool, in this process or another, has it open; the message holds the path.</exception>
    public static JobJournal Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        FileStream fileLock;
        try
        {
            fileLock = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            throw new IOException($"The journal {path} is in use by another pool, in this process or another: a journal belongs to one live pool at a time.", ex);
        }
        try
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            Execute(connection, """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, items INTEGER NOT NULL, finished INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE IF NOT EXISTS chunks (job TEXT NOT NULL, offset INTEGER NOT NULL, count INTEGER NOT NULL, results BLOB NOT NULL, PRIMARY KEY (job, offset));
                """);
            return new JobJournal(path, fileLock, connection);
        }
        catch
        {
            fileLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts job <paramref name="jobId"/>, or resumes it: returns what the journal holds of it.
    /// A job recorded under another fingerprint is resumed if <paramref name="earlier"/>, given
    /// that fingerprint, returns it: the fingerprint an earlier build wrote for this same job, in
    /// that build's format (null if it is not in a format earlier builds wrote). It is then kept
    /// under <paramref name="fingerprint"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The journal holds another job under that id (another function, or other inputs); nothing is changed.</exception>
    /// <exception cref="InvalidOperationException">This pool runs a job under that id already.</exception>
    public JournaledJob Begin(string jobId, string fingerprint, int items, Func<string, string?>? earlier = null)
    {
        // A job that finished a moment ago is committed by now, or soon: it is waited for, so that
        // submitted again it answers from the journal instead of running again.
        if (Volatile.Read(ref _queued) > 0)
            Flush().GetAwaiter().GetResult();
        lock (_gate)
        {
            if (_running.Contains(jobId))
                throw new InvalidOperationException($"A durable job under the id '{jobId}' is running in this pool already: wait for it, or use another id.");
            var job = BeginOrResume(jobId, fingerprint, items, earlier);
            _running.Add(jobId);
            return job;
        }
    }

    /// <summary>The job <paramref name="jobId"/> has ended in this pool: its id may be begun, or forgotten, again.</summary>
    internal void Ended(string jobId)
    {
        lock (_gate)
            _running.Remove(jobId);
    }

    /// <summary>Called under the gate.</summary>
    private JournaledJob BeginOrResume(string jobId, string fingerprint, int items, Func<string, string?>? earlier)
    {
        using var find = Command("SELECT fingerprint, items FROM jobs WHERE id = $id", ("$id", jobId));
        using (var reader = find.ExecuteReader())
        {
            if (reader.Read())
            {
                var recorded = reader.GetString(0);
                var same = reader.GetInt64(1) == items && (recorded == fingerprint || (earlier?.Invoke(recorded) is { } then && recorded == then));
                reader.Close();
                if (!same)
                {
                    throw new InvalidOperationException(
                        $"The journal {Path} holds another job under the id '{jobId}' (another function, or other inputs): "
                        + "use a new JobId, or Pool.ForgetJob the old one first.");
                }
                if (recorded != fingerprint)
                {
                    using var update = Command("UPDATE jobs SET fingerprint = $fingerprint WHERE id = $id", ("$id", jobId), ("$fingerprint", fingerprint));
                    update.ExecuteNonQuery();
                }
                return new JournaledJob(this, jobId, ReadChunks(jobId)); // finished or not, what is recorded is what is restored
            }
        }
        // A new job: chunks left under its id by a job forgotten while it ran are not its own.
        using var transaction = _connection.BeginTransaction();
        using var orphans = Command("DELETE FROM chunks WHERE job = $id", ("$id", jobId));
        orphans.Transaction = transaction;
        orphans.ExecuteNonQuery();
        using var insert = Command("INSERT INTO jobs (id, fingerprint, items) VALUES ($id, $fingerprint, $items)",
            ("$id", jobId), ("$fingerprint", fingerprint), ("$items", items));
        insert.Transaction = transaction;
        insert.ExecuteNonQuery();
        transaction.Commit();
        return new JournaledJob(this, jobId, []);
    }

    /// <summary>Forgets job <paramref name="jobId"/>; true if the journal held it.</summary>
    /// <exception cref="InvalidOperationException">The job is running in this pool.</exception>
    public bool Forget(string jobId)
    {
        lock (_gate)
        {
            if (_running.Contains(jobId))
                throw new InvalidOperationException($"The durable job '{jobId}' is running in this pool: forget it once it has ended.");
        }
        Flush().GetAwaiter().GetResult(); // what is still on its way is written first, then removed
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var chunks = Command("DELETE FROM chunks WHERE job = $id", ("$id", jobId));
            chunks.Transaction = transaction;
            chunks.ExecuteNonQuery();
            using var job = Command("DELETE FROM jobs WHERE id = $id", ("$id", jobId));
            job.Transaction = transaction;
            var removed = job.ExecuteNonQuery() > 0;
            transaction.Commit();
            return removed;
        }
    }

    /// <summary>Queues a write; it is committed within <see cref="CommitInterval"/>.</summary>
    internal void Enqueue(JournalWrite write)
    {
        Interlocked.Increment(ref _queued);
        if (!_writes.Writer.TryWrite(write))
            Interlocked.Decrement(ref _queued);
    }

    /// <summary>Commits what is queued now, without waiting for it.</summary>
    internal void FlushSoon() => _flushNow.Release();

    /// <summary>Commits what is queued now, and returns once it is.</summary>
    internal Task Flush()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _queued);
        if (!_writes.Writer.TryWrite(new JournalWrite.Flushed(flushed)))
        {
            Interlocked.Decrement(ref _queued);
            return Task.CompletedTask; // closed: everything was written
        }
        FlushSoon();
        return flushed.Task;
    }

    private List<(int Offset, int Count, byte[] Results)> ReadChunks(string jobId)
    {
        using var read = Command("SELECT offset, count, results FROM chunks WHERE job = $id ORDER BY offset", ("$id", jobId));
        using var reader = read.ExecuteReader();
        var chunks = new List<(int, int, byte[])>();
        while (reader.Read())
            chunks.Add((reader.GetInt32(0), reader.GetInt32(1), (byte[])reader.GetValue(2)));
        return chunks;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _writes.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var batch = new List<JournalWrite>();
            while (reader.TryRead(out var write))
                batch.Add(write);
            try
            {
                Commit(batch);
            }
            catch (Exception ex)
            {
                // The file could not be written (a full disk, say): every job with a write in the
                // batch fails, whoever waits on it learns it, and the loop goes on; chunks not
                // written are run again on a resume.
                var error = new IOException($"The journal {Path} could not be written: {ex.Message}", ex);
                Log?.Error(error, "The journal {0} could not be written; jobs that had returned already are not marked finished, and resume when run again.", Path);
                foreach (var write in batch)
                {
                    switch (write)
                    {
                        case JournalWrite.Chunk chunk:
                            chunk.Job.Fail(error);
                            break;
                        case JournalWrite.Finished finished:
                            finished.Job.Fail(error);
                            break;
                        case JournalWrite.Flushed flushed:
                            flushed.Done.TrySetException(error);
                            break;
                    }
                }
            }
            Interlocked.Add(ref _queued, -batch.Count);
            // Group what comes next: wait out the interval, unless someone waits for a flush.
            await _flushNow.WaitAsync(CommitInterval).ConfigureAwait(false);
        }
    }

    private void Commit(List<JournalWrite> batch)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var write in batch)
            {
                switch (write)
                {
                    case JournalWrite.Chunk chunk:
                        byte[] results;
                        try
                        {
                            results = chunk.Encode();
                        }
                        catch (Exception ex)
                        {
                            // One job's results that cannot be serialized fail that job, not the batch.
                            chunk.Job.Fail(new System.Runtime.Serialization.SerializationException(
                                $"The results of durable job '{chunk.Job.Id}' cannot be serialized for its journal: {ex.Message}", ex));
                            continue;
                        }
                        // Only under a job that is still there: one forgotten meanwhile gets no chunk.
                        using (var insert = Command(
                                   "INSERT OR REPLACE INTO chunks (job, offset, count, results) SELECT $job, $offset, $count, $results WHERE EXISTS (SELECT 1 FROM jobs WHERE id = $job)",
                                   ("$job", chunk.Job.Id), ("$offset", chunk.Offset), ("$count", chunk.Count), ("$results", results)))
                        {
                            insert.Transaction = transaction;
                            insert.ExecuteNonQuery();
                        }
                        break;
                    case JournalWrite.Finished finished when finished.Job.Failure is null: // a job with a chunk not written is not finished
                        using (var update = Command("UPDATE jobs SET finished = 1 WHERE id = $id", ("$id", finished.Job.Id)))
                        {
                            update.Transaction = transaction;
                            update.ExecuteNonQuery();
                        }
                        break;
                }
            }
            transaction.Commit();
        }
        foreach (var write in batch)
        {
            if (write is JournalWrite.Flushed flushed)
                flushed.Done.TrySetResult();
        }
    }

    private SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Writes what is queued, closes the file and lets go of its lock.</summary>
    public void Dispose()
    {
        _writes.Writer.TryComplete();
        _flushNow.Release();
        _writer.GetAwaiter().GetResult();
        _connection.Dispose();
        _lock.Dispose();
    }
}

/// <summary>A write queued for a journal's write loop.</summary>
internal abstract record JournalWrite
{
    /// <summary>A chunk's results, encoded when the loop writes them.</summary>
    public sealed record Chunk(JournaledJob Job, int Offset, int Count, Func<byte[]> Encode) : JournalWrite;

    /// <summary>Every chunk of the job has been recorded.</summary>
    public sealed record Finished(JournaledJob Job) : JournalWrite;

    /// <summary>Someone waits until everything queued before this is committed.</summary>
    public sealed record Flushed(TaskCompletionSource Done) : JournalWrite;
}
