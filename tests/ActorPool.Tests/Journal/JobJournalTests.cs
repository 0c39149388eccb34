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
}
