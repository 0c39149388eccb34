using ActorPool.Coordination;
using ActorPool.Observability;
using ActorPool.Protocol;
using Akka.Actor;

namespace ActorPool;

/// <summary>
/// A message that asks a pool's <see cref="Pool.Router"/>, from an actor in the same
/// ActorSystem, to apply <see cref="Func"/> to every item of <see cref="Items"/>: the actor form of
/// <see cref="Pool.MapAsync{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, Action{IReadOnlyList{TResult}}?, Action{Exception}?, JobOptions?, CancellationToken)"/>. The sender receives an <see cref="IReadOnlyList{T}"/>
/// of <typeparamref name="TResult"/> in input order, or a <see cref="Status.Failure"/> whose cause
/// is the first exception a task threw (or the reason the request was refused), so
/// <c>Ask&lt;IReadOnlyList&lt;TResult&gt;&gt;</c> works directly.
/// </summary>
/// <param name="Func">The function; must not be null.</param>
/// <param name="Items">The inputs; read by the pool when it receives the request.</param>
/// <param name="ChunkSize">Items per task; null (the default) uses the default of <c>Map</c>: ceil(n / (32 × workers)) under work pulling, the last chunks shrinking to an eighth of that, CPython's ceil(n / (4 × workers)) under the other routings or with <c>MaxTasksPerChild</c> set.</param>
public sealed record MapRequest<T, TResult>(Func<T, TResult> Func, IReadOnlyList<T> Items, int? ChunkSize = null) : IPoolRequest
{
    IJobStart? IPoolRequest.Accept(RequestScope scope, IActorRef requester)
    {
        var func = Func;
        if (!RequestArguments.Accept(requester, () =>
            {
                func = JobArguments.CheckFunction(Func, nameof(Func), scope.Deployment);
                JobArguments.CheckItems(Items, nameof(Items));
                JobArguments.CheckChunkSize(ChunkSize, nameof(ChunkSize));
            }))
            return null;
        if (ActorRequestJob.TryStart(scope.Registry, requester, new JobTally(scope.Settings.Telemetry, JobKind.Map)) is not { } job)
            return null;
        try
        {
            // The list is read here, in the router: a request hands it over, as Tell hands over any message.
            var items = Items.ToArray();
            if (items.Length == 0)
            {
                job.Reply(Array.Empty<TResult>());
                return null;
            }
            return MapJob<TResult>.Create(job.Id, items, ChunkSize, scope.Settings, awaited: false, chunk => new MapWork<T, TResult>(func, chunk),
                scope.Group, new ReplyRef(scope.Provider, job.Reply), job.Tally);
        }
        catch (Exception ex)
        {
            job.Reply(new Status.Failure(ex));
            return null;
        }
    }
}

/// <summary>
/// A message that asks a pool's <see cref="Pool.Router"/>, from an actor in the same
/// ActorSystem, to run <see cref="Func"/> once on a worker: the actor form of
/// <see cref="Pool.ApplyAsync{TResult}(Func{TResult}, Action{TResult}?, Action{Exception}?, JobOptions?, CancellationToken)"/>. The sender receives the <typeparamref name="TResult"/>
/// itself, or a <see cref="Status.Failure"/> whose cause is the exception the function threw (or the
/// reason the request was refused), so <c>Ask&lt;TResult&gt;</c> works directly. A null result,
/// which Akka cannot deliver as a message, arrives as a <see cref="Status.Success"/> with a null status.
/// </summary>
/// <param name="Func">The function; must not be null.</param>
public sealed record ApplyRequest<TResult>(Func<TResult> Func) : IPoolRequest
{
    IJobStart? IPoolRequest.Accept(RequestScope scope, IActorRef requester)
    {
        var func = Func;
        if (!RequestArguments.Accept(requester, () => func = JobArguments.CheckFunction(Func, nameof(Func), scope.Deployment)))
            return null;
        if (ActorRequestJob.TryStart(scope.Registry, requester, new JobTally(scope.Settings.Telemetry, JobKind.Apply)) is not { } job)
            return null;
        try
        {
            // A single task has no coordinator to start: it goes to the workers at once.
            _ = ApplyJob.Dispatch(job.Id, new ThunkWork<TResult>(func), scope.Group, scope.Provider, job.Tally,
                value => job.Reply(value is null ? new Status.Success(null) : value),
                error => job.Reply(new Status.Failure(error)));
        }
        catch (Exception ex)
        {
            job.Reply(new Status.Failure(ex));
        }
        return null;
    }
}

/// <summary>Argument checks for request messages: a refusal is the reply, since there is no caller to throw to.</summary>
file static class RequestArguments
{
    /// <summary>Runs <paramref name="check"/>; if it throws an argument error, replies with it and returns false.</summary>
    public static bool Accept(IActorRef requester, Action check)
    {
        try
        {
            check();
            return true;
        }
        catch (ArgumentException error)
        {
            requester.Tell(new Status.Failure(error));
            return false;
        }
    }
}
