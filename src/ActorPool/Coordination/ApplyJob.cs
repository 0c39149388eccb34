using ActorPool.Protocol;
using ActorPool.Routing;
using Akka.Actor;

namespace ActorPool.Coordination;

/// <summary>
/// A single task (<c>Apply</c>): one chunk of one item, answered straight to a reply address.
/// An apply has a single result, so there is nothing for a coordinator actor to reassemble and no
/// hop is spent on one. The one way both <c>Pool.ApplyAsync</c> and <c>ApplyRequest</c> run.
/// </summary>
internal static class ApplyJob
{
    /// <summary>Sends the task; returns its reply address, which the caller releases if it stops waiting (a cancelled task gets no answer).</summary>
    /// <remarks>The outcome is counted in <paramref name="tally"/> before <paramref name="onValue"/> or <paramref name="onError"/> hears of it.</remarks>
    public static ReplyRef Dispatch<TResult>(long jobId, ChunkWork<TResult> work, WorkerGroup group, IActorRefProvider provider, JobTally tally,
        Action<TResult> onValue, Action<Exception> onError)
    {
        var reply = new ReplyRef(provider, message =>
        {
            if (message is not ChunkResult<TResult> result)
                return;
            tally.Chunk(result);
            if (result.FirstError is { } error)
                onError(error);
            else
                onValue(result.Values[0]);
        });
        tally.Submitted(1);
        group.Dispatch(new RunChunk(jobId, 0, 0, group.Prepare(tally.Stamp(work)), reply));
        return reply;
    }
}
