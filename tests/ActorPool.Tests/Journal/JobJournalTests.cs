using ActorPool.Journal;

namespace ActorPool.Tests.Journal;

public sealed class JobJournalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("actorpool-journal-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task RecordedChunks_AreRestoredWhenTheJobIsBegunAgain()
    {
        var path = Path.Combine(_folder, "journal.db");
        using (var journal = JobJournal.Open(path))
        {
            var job = journal.Begin("job", "fingerprint", 4);
            job.Record(new[] { 10, 11, 12, 13 }, 2, 2);
            await job.FlushAsync();
        }
        using (var journal = JobJournal.Open(path))
        {
            var results = new int[4];
            Assert.Equal([(0, 2)], journal.Begin("job", "fingerprint", 4).Restore(results));
            Assert.Equal([0, 0, 12, 13], results);
        }
    }

    [Fact]
    public async Task AChunkRecordedAfterItsJobWasForgotten_IsNotKept_AndANewJobUnderTheIdStartsEmpty()
    {
        using var journal = JobJournal.Open(Path.Combine(_folder, "journal.db"));
        var old = journal.Begin("id", "old", 4);
        await old.FlushAsync(); // it ended (cancelled, say) ...
        Assert.True(journal.Forget("id"));
        old.Record(new[] { 1, 2, 3, 4 }, 0, 4); // ... and its coordinator, not stopped yet, records a chunk
        await old.FlushAsync();
        var results = new int[4];
        Assert.Equal([(0, 4)], journal.Begin("id", "new", 4).Restore(results));
    }

    [Fact]
    public async Task Begin_AnotherJobUnderTheId_IsRefusedNamingIt()
    {
        using var journal = JobJournal.Open(Path.Combine(_folder, "journal.db"));
        await journal.Begin("id", "first", 4).FlushAsync();
        Assert.Contains("another job under the id 'id'", Assert.Throws<InvalidOperationException>(() => journal.Begin("id", "second", 4)).Message);
        Assert.Contains("another job under the id 'id'", Assert.Throws<InvalidOperationException>(() => journal.Begin("id", "first", 5)).Message);
    }

    [Fact]
    public async Task AJobRunning_CannotBeBegunAgainNorForgottenUntilItEnds()
    {
        using var journal = JobJournal.Open(Path.Combine(_folder, "journal.db"));
        var job = journal.Begin("id", "fingerprint", 4);
        Assert.Contains("running in this pool", Assert.Throws<InvalidOperationException>(() => journal.Begin("id", "fingerprint", 4)).Message);
        Assert.Contains("running in this pool", Assert.Throws<InvalidOperationException>(() => journal.Forget("id")).Message);
        await job.FinishAsync();
        await journal.Begin("id", "fingerprint", 4).FlushAsync(); // resumable again
        Assert.True(journal.Forget("id"));
    }

    [Fact]
    public async Task PrimitiveResults_ChangedByTheCallerOnceTheJobReturned_AreRecordedAsTheyWere()
    {
        var path = Path.Combine(_folder, "journal.db");
        using (var journal = JobJournal.Open(path))
        {
            var job = journal.Begin("job", "fingerprint", 4);
            var results = new[] { 10, 11, 12, 13 };
            job.Record(results, 0, 4);
            await job.FinishAsync(); // returns before the commit, for ints
            Array.Fill(results, -1); // the caller's array, which is the job's
        }
        using (var again = JobJournal.Open(path))
        {
            var restored = new int[4];
            Assert.Empty(again.Begin("job", "fingerprint", 4).Restore(restored));
            Assert.Equal([10, 11, 12, 13], restored);
        }
    }

    [Fact]
    public void Open_InAFolderThatDoesNotExist_CreatesIt()
    {
        var path = Path.Combine(_folder, "missing", "journal.db");
        using (JobJournal.Open(path))
            Assert.True(File.Exists(path));
    }

    [Fact]
    public void Open_WhileOpen_FailsNamingTheFile()
    {
        var path = Path.Combine(_folder, "journal.db");
        using var first = JobJournal.Open(path);
        Assert.Contains(path, Assert.Throws<IOException>(() => JobJournal.Open(path)).Message);
    }

    internal static int Twice(int x) => 2 * x;

    /// <summary>What builds before XXH128 wrote for a job of <see cref="Twice"/>: a SHA-256 of its inputs' wire form, and results in the wire form.</summary>
    private static void WriteAsAnEarlierBuildDid(string path, string jobId, int[] inputs, int offset, int[] results)
    {
        using (JobJournal.Open(path)) { } // the tables, as they were
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(ActorPool.Remote.WireCodec.EncodeItems(inputs)));
        var fingerprint = $"ActorPool.Tests|ActorPool.Tests.Journal.JobJournalTests.Twice(System.Int32)->System.Int32|{inputs.Length}|{hash}";
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO jobs (id, fingerprint, items) VALUES ($id, $f, $n); INSERT INTO chunks (job, offset, count, results) VALUES ($id, $o, $c, $r)";
        insert.Parameters.AddWithValue("$id", jobId);
        insert.Parameters.AddWithValue("$f", fingerprint);
        insert.Parameters.AddWithValue("$n", inputs.Length);
        insert.Parameters.AddWithValue("$o", offset);
        insert.Parameters.AddWithValue("$c", results.Length);
        insert.Parameters.AddWithValue("$r", ActorPool.Remote.WireCodec.EncodeValues(results));
        insert.ExecuteNonQuery();
    }

    private static JournaledJob Begin(JobJournal journal, string jobId, int[] inputs)
    {
        Func<int, int> func = Twice;
        return journal.Begin(jobId, JobFingerprint.Of(func, inputs), inputs.Length, recorded => JobFingerprint.Earlier(recorded, func, inputs));
    }

    [Fact]
    public async Task AJobJournaledByAnEarlierBuild_ResumesWithWhatItRecorded_AndIsKeptUnderTheNewFingerprint()
    {
        var path = Path.Combine(_folder, "journal.db");
        int[] inputs = [1, 2, 3, 4];
        WriteAsAnEarlierBuildDid(path, "job", inputs, offset: 2, results: [6, 8]);
        using var journal = JobJournal.Open(path);
        var results = new int[4];
        var job = Begin(journal, "job", inputs);
        Assert.Equal([(0, 2)], job.Restore(results));
        Assert.Equal([0, 0, 6, 8], results);
        await job.FlushAsync();
        journal.Ended("job");
        // Now recorded under the new fingerprint: begun with no earlier format to try, it still resumes.
        Func<int, int> func = Twice;
        Assert.Equal([(0, 2)], journal.Begin("job", JobFingerprint.Of(func, inputs), inputs.Length).Restore(new int[4]));
    }

    [Fact]
    public void AJobJournaledByAnEarlierBuild_WithOtherInputs_IsRefusedAsAnotherJob()
    {
        var path = Path.Combine(_folder, "journal.db");
        WriteAsAnEarlierBuildDid(path, "job", [1, 2, 3, 4], offset: 0, results: [2, 4]);
        using var journal = JobJournal.Open(path);
        Assert.Contains("another job under the id 'job'", Assert.Throws<InvalidOperationException>(() => Begin(journal, "job", [1, 2, 3, 5])).Message);
    }
}
