using ActorPool.Protocol;
using ActorPool.Routing;
using CsCheck;
using static ActorPool.Tests.Routing.Chunks;

namespace ActorPool.Tests.Routing;

/// <summary>
/// Long random runs of what a work-pulling router lives through (jobs arriving, batches sent and
/// reported, some chunks handed back unrun, workers crashing, leaving, stalling and coming back,
/// stale reports from before a loss, jobs dropped, work taken back from stragglers, the take-back's
/// word arriving before or after the worker's report, stragglers copied to idle workers, either copy
/// answering first, batches refused by a full node, the refusal overtaking the reports of batches
/// sent before it, workers waiting after a refusal), played against the router's two pure parts the
/// way the router actor plays them. After every step: no chunk is lost or counted twice, and no
/// chunk waits while a worker idles. At the end, with workers that keep answering, every chunk
/// finishes or fails.
/// </summary>
public sealed class WorkPullingModelTests
{
    private const int MaxLosses = 2;
    private const int MaxBatchesPerWorker = 2;

    private enum Step { Submit, AddWorker, Report, ReportReturningSome, Crash, Leave, Unreachable, StaleReport, Drop, FailPending, TakeBack, TakenBackWord, Copy, Refuse, RefusalWord, Resume }

    private static readonly Gen<(Step Step, int Pick, int Size)> Steps =
        Gen.Select(Gen.Enum<Step>(), Gen.Int[0, 1000], Gen.Int[1, 6]);

    [Fact]
    public void RandomRuns_NoChunkIsEverLostOrCountedTwice()
    {
        Steps.Array[1, 200].Sample(steps => new Model().Run(steps), iter: 1000);
    }

    private sealed class Model
    {
        private readonly WorkQueue _queue = new(batchDivisor: 2, maxBatch: 4, maxBatchBytes: 100);
        private readonly LossLedger<int> _ledger = new(MaxLosses, MaxBatchesPerWorker);
        // What each worker has been sent and not yet reported, in order: its mailbox.
        private readonly Dictionary<int, Queue<RunBatch>> _mailboxes = new();
        // Batches of lost workers whose reports may still arrive.
        private readonly List<(int Worker, RunBatch Batch)> _stale = new();
        // Batches taken back from (whole or in part): what their workers keep. The router hears of it
        // from the node (a TakenBack, queued here until delivered) or from the worker's report, whichever comes first.
        private readonly Dictionary<long, int> _kept = new();
        private readonly List<(int Worker, long BatchId, int Kept)> _words = new();
        // Batches a node refused as they arrived (never in the mailbox), whose refusal the router has not heard yet.
        private readonly List<(int Worker, long BatchId)> _refusals = new();
        private readonly Dictionary<(long, long), RunChunk> _chunks = new();
        private readonly HashSet<(long, long)> _live = new();
        private readonly HashSet<(long, long)> _finished = new();
        private readonly HashSet<(long, long)> _failed = new();
        private long _jobs;
        private int _workers;

        public void Run((Step Step, int Pick, int Size)[] steps)
        {
            foreach (var (step, pick, size) in steps)
            {
                Play(step, pick, size);
                Dispatch();
                CheckEveryChunkIsInOnePlace();
            }
            // Workers that keep answering (and nodes with room) finish everything that is left.
            foreach (var (worker, batchId) in _refusals.ToList())
                HearRefusal(worker, batchId);
            if (_ledger.WorkerCount == 0)
                AddWorker();
            ResumeAll();
            Dispatch();
            while (_mailboxes.Values.Any(mailbox => mailbox.Count > 0))
            {
                var worker = _mailboxes.First(pair => pair.Value.Count > 0).Key;
                Report(worker, returned: 0);
                ResumeAll();
                Dispatch();
                CheckEveryChunkIsInOnePlace();
            }
            Assert.Empty(_live);
            Assert.Equal(0, _queue.Count);
            Assert.Equal(0, _ledger.SuspectCount);
        }

        private void Play(Step step, int pick, int size)
        {
            var workers = _ledger.Workers;
            switch (step)
            {
                case Step.Submit:
                    var job = ++_jobs;
                    for (var i = 0; i < size; i++)
                    {
                        var chunk = Of(job, i, wireBytes: pick % 3 == 0 ? 60 : 10);
                        _chunks.Add(Key(chunk), chunk);
                        _live.Add(Key(chunk));
                        _queue.Enqueue(chunk);
                    }
                    break;
                case Step.AddWorker:
                    // Sometimes a lost worker comes back under the same name (a node that was only unreachable).
                    var returning = _mailboxes.Keys.Where(worker => !_ledger.Has(worker)).ToList();
                    if (returning.Count > 0 && pick % 2 == 0)
                        Assert.True(_ledger.Add(returning[pick % returning.Count]));
                    else
                        AddWorker();
                    break;
                case Step.Report or Step.ReportReturningSome when workers.Count > 0:
                    var reporter = workers[pick % workers.Count];
                    if (_mailboxes[reporter].Count > 0)
                        Report(reporter, step == Step.ReportReturningSome ? size : 0);
                    break;
                case Step.Crash or Step.Leave or Step.Unreachable when workers.Count > 0:
                    Lose(workers[pick % workers.Count], crashed: step != Step.Leave, runningOnly: step == Step.Unreachable);
                    break;
                case Step.TakeBack when workers.Count > 0:
                    var holder = workers[pick % workers.Count];
                    var first = true;
                    foreach (var sent in _mailboxes[holder])
                    {
                        // The running batch keeps what started (any prefix); one still in the mailbox keeps nothing.
                        var keeps = Math.Min(first ? pick % (sent.Chunks.Length + 1) : 0, _kept.GetValueOrDefault(sent.BatchId, int.MaxValue));
                        first = false;
                        if (keeps >= Math.Min(sent.Chunks.Length, _kept.GetValueOrDefault(sent.BatchId, int.MaxValue)))
                            continue;
                        _kept[sent.BatchId] = keeps;
                        if (size % 2 == 0)
                            _queue.Requeue(_ledger.Shrink(holder, sent.BatchId, keeps)); // in process: at once
                        else
                            _words.Add((holder, sent.BatchId, keeps)); // from a node, later
                    }
                    break;
                case Step.Copy when workers.Count > 0:
                    // The running chunk of a worker (the last of its first batch with any) gets a copy on an idle worker.
                    var straggler = workers[pick % workers.Count];
                    if (_ledger.BatchesOf(straggler).FirstOrDefault(held => held.Chunks.Length > 0) is not { Chunks: { } straggling }
                        || _ledger.IsCopied(straggling[^1])
                        || !_ledger.TryPick(plenty: false, suspectNext: false, out var idle) || idle == straggler)
                        break;
                    _mailboxes[idle].Enqueue(new RunBatch(_ledger.AssignCopy(idle, straggling[^1]), [straggling[^1]]));
                    break;
                case Step.Refuse when workers.Count > 0:
                    // A batch that has not started (none of it kept by a take-back) was refused as it arrived.
                    var full = workers[pick % workers.Count];
                    var unstarted = _mailboxes[full].Where(sent => _kept.GetValueOrDefault(sent.BatchId, 0) == 0).ToList();
                    if (unstarted.Count == 0)
                        break;
                    var refused = unstarted[size % unstarted.Count];
                    _mailboxes[full] = new Queue<RunBatch>(_mailboxes[full].Where(sent => sent != refused));
                    _kept.Remove(refused.BatchId);
                    _refusals.Add((full, refused.BatchId));
                    break;
                case Step.RefusalWord when _refusals.Count > 0:
                    var (refusedBy, refusedId) = _refusals[pick % _refusals.Count];
                    HearRefusal(refusedBy, refusedId);
                    break;
                case Step.Resume when workers.Count > 0:
                    _ledger.Resume(workers[pick % workers.Count]); // its wait after a refusal ran out
                    break;
                case Step.TakenBackWord when _words.Count > 0:
                    var word = _words[pick % _words.Count];
                    _words.Remove(word);
                    if (_ledger.Has(word.Worker))
                        _queue.Requeue(_ledger.Shrink(word.Worker, word.BatchId, word.Kept));
                    break;
                case Step.StaleReport when _stale.Count > 0:
                    var (worker, batch) = _stale[pick % _stale.Count];
                    _stale.Remove((worker, batch));
                    Assert.False(_ledger.Complete(worker, batch.BatchId, []), "A report from before a loss was taken.");
                    break;
                case Step.FailPending when pick % 10 == 0:
                    // No worker can ever join (the router's FailPending): every queued chunk fails.
                    var pending = _queue.TakeAll();
                    _ledger.Forget(pending);
                    foreach (var chunk in pending)
                        Assert.True(_live.Remove(Key(chunk)) && _failed.Add(Key(chunk)), $"Chunk {Key(chunk)} failed but was not live.");
                    break;
                case Step.Drop when _jobs > 0:
                    var dropped = _queue.Drop(1 + pick % _jobs);
                    _ledger.Forget(dropped);
                    foreach (var chunk in dropped)
                        Assert.True(_live.Remove(Key(chunk)), "A dropped chunk was not live.");
                    break;
            }
        }

        /// <summary>The router hears that batch <paramref name="batchId"/> was refused: what of it is still to run goes back to the front.</summary>
        private void HearRefusal(int worker, long batchId)
        {
            _refusals.Remove((worker, batchId));
            if (_ledger.Refuse(worker, batchId) is { } again)
                _queue.Requeue(again);
        }

        private void ResumeAll()
        {
            foreach (var worker in _ledger.Workers)
                _ledger.Resume(worker);
        }

        private void AddWorker()
        {
            var worker = ++_workers;
            Assert.True(_ledger.Add(worker));
            _mailboxes[worker] = new Queue<RunBatch>();
        }

        private void Dispatch()
        {
            _queue.DispatchTo(_ledger, (worker, batch) => _mailboxes[worker].Enqueue(batch));
            // Nothing waits while a worker idles (one that holds batches, empty ones included, has a report to make first;
            // one whose node refused it a batch waits for its report or for its wait to run out).
            if (_queue.Count > 0)
                Assert.All(_ledger.Workers.Where(worker => !_ledger.IsRefused(worker)), worker => Assert.NotEmpty(_ledger.BatchesOf(worker)));
        }

        /// <summary>The worker finishes its oldest batch (what it kept of it), handing back its last <paramref name="returned"/> chunks unrun.</summary>
        private void Report(int worker, int returned)
        {
            var sent = _mailboxes[worker].Dequeue();
            // A batch refused before this one arrived was answered before this one ran: the router hears that first.
            foreach (var (refusedBy, refusedId) in _refusals.Where(refusal => refusal.Worker == worker && refusal.BatchId < sent.BatchId).ToList())
                HearRefusal(refusedBy, refusedId);
            var kept = _kept.Remove(sent.BatchId, out var keeps) ? keeps : sent.Chunks.Length;
            // The report says how much was kept: what was taken and not yet heard of goes back now.
            _queue.Requeue(_ledger.Shrink(worker, sent.BatchId, kept));
            var batch = sent with { Chunks = sent.Chunks[..kept] };
            var unrun = batch.Chunks.TakeLast(Math.Min(returned, batch.Chunks.Length)).ToArray();
            // A losing copy's result is discarded (the coordinator has the winner's): it is not counted again.
            var lost = batch.Chunks.Where(_ledger.IsSettled).Select(Key).ToHashSet();
            _ledger.EndCopies(worker, batch.BatchId, unrun);
            var again = _ledger.StillToRun(worker, unrun);
            Assert.True(_ledger.Complete(worker, batch.BatchId, unrun), "A worker's report of its oldest batch was refused.");
            foreach (var chunk in batch.Chunks.SkipLast(unrun.Length).Where(chunk => !lost.Contains(Key(chunk))))
            {
                Assert.True(_live.Remove(Key(chunk)), $"Chunk {Key(chunk)} finished but was not live.");
                Assert.True(_finished.Add(Key(chunk)), $"Chunk {Key(chunk)} finished twice.");
            }
            _queue.Requeue(again);
        }

        private void Lose(int worker, bool crashed, bool runningOnly)
        {
            var held = _ledger.HeldBy(worker).Select(Key).ToList();
            var loss = _ledger.Lose(worker, crashed, runningOnly);
            var failedKeys = loss.Failed.Select(failed => Key(failed.Chunk)).ToHashSet();
            // The rest, oldest first, but for copies another worker answers for (checked below: nothing live is lost).
            Assert.Equal(held.Where(key => !failedKeys.Contains(key)).Where(loss.Again.Select(Key).Contains), loss.Again.Select(Key));
            foreach (var (chunk, losses) in loss.Failed)
            {
                Assert.True(crashed, "A chunk failed though its worker only left.");
                Assert.Equal(MaxLosses, losses);
                Assert.True(_live.Remove(Key(chunk)) && _failed.Add(Key(chunk)), $"Chunk {Key(chunk)} failed but was not live.");
            }
            _queue.Requeue(loss.Again);
            foreach (var batch in _mailboxes[worker])
                _stale.Add((worker, batch));
            _mailboxes[worker].Clear();
        }

        private void CheckEveryChunkIsInOnePlace()
        {
            var placed = _queue.Pending.Select(Key)
                .Concat(_ledger.Workers.SelectMany(_ledger.HeldBy).Select(Key))
                .ToList();
            // Counted once, but for a straggler and its copies.
            Assert.All(placed.GroupBy(key => key).Where(group => group.Count() > 1),
                group => Assert.True(_ledger.IsCopied(_chunks[group.Key]), $"Chunk {group.Key} is in two places and no copy."));
            // A losing copy still held was answered for: it is not live.
            var running = placed.Where(key => !_ledger.IsSettled(_chunks[key])).ToHashSet();
            Assert.True(_live.SetEquals(running), "A live chunk is neither queued nor held, or a finished one still is.");
            Assert.Empty(_finished.Intersect(_failed));
            Assert.All(_chunks.Where(pair => !_live.Contains(pair.Key)),
                gone => Assert.False(_ledger.IsSuspect(gone.Value), $"The ledger keeps the losses of chunk {gone.Key}, which is gone."));
            foreach (var worker in _ledger.Workers)
            {
                var held = _ledger.HeldBy(worker).ToList();
                // Batches taken back whole still wait in the mailbox, empty, for their report: they hold no work.
                Assert.True(_ledger.BatchesOf(worker).Count(batch => batch.Chunks.Length > 0) <= MaxBatchesPerWorker, "A worker holds more batches than its bound.");
                Assert.True(held.Count == 1 || !held.Any(_ledger.IsSuspect), "A suspect shares its worker with other chunks.");
            }
        }
    }
}
