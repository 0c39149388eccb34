using ActorPool.Coordination;
using ActorPool.Protocol;
using ActorPool.Remote;
using ActorPool.Routing;
using Akka.Actor;

namespace ActorPool;

/// <summary>
/// A message that asks a pool's <see cref="Pool.Router"/>, from an actor in the same
/// ActorSystem, to apply <see cref="Func"/> to every item of <see cref="Items"/>: the actor form of
/// <see cref="Pool.MapAsync{T, TResult}"/>. The sender receives an <see cref="IReadOnlyList{T}"/>
/// of <typeparamref name="TResult"/> in input order, or a <see cref="Status.Failure"/> whose cause
/// is the first exception a task threw (or the reason the request was refused), so
/// <c>Ask&lt;IReadOnlyList&lt;TResult&gt;&gt;</c> works directly.
/// </summary>
/// <param name="Func">The function; must not be null.</param>
/// <param name="Items">The inputs; read by the pool when it receives the request.</param>
/// <param name="ChunkSize">Items per task; null (the default) uses ceil(n / (4 × workers)), as <c>Map</c> does.</param>
public sealed record MapRequest<T, TResult>(Func<T, TResult> Func, IReadOnlyList<T> Items, int? ChunkSize = null) : IPoolRequest
{
    void IPoolRequest.Submit(RequestScope scope, IActorRef requester)
    {
        if (RequestArguments.Refuse(requester, scope, Func, ChunkSize))
            return;
        if (Items is null)
        {
            RequestArguments.Null(requester, nameof(Items));
            return;
        }
        if (ActorRequestJob.TryStart(scope.Registry, requester) is not { } job)
            return;
        try
        {
            // The list is read here, in the router: a request hands it over, as Tell hands over any message.
            var items = Items.ToArray();
            if (items.Length == 0)
            {
                job.Reply(Array.Empty<TResult>());
                return;
            }
            MapJob<TResult>.Create(job.Id, items, ChunkSize, scope.Processes, chunk => new MapWork<T, TResult>(Func, chunk), scope.Group,
                new ReplyRef(scope.Provider, job.Reply)).Start(scope.Context, scope.Group);
        }
        catch (Exception ex)
        {
            job.Reply(new Status.Failure(ex));
        }
    }
}

/// <summary>
/// A message that asks a pool's <see cref="Pool.Router"/>, from an actor in the same
/// ActorSystem, to run <see cref="Func"/> once on a worker: the actor form of
/// <see cref="Pool.ApplyAsync{TResult}"/>. The sender receives the <typeparamref name="TResult"/>
/// itself, or a <see cref="Status.Failure"/> whose cause is the exception the function threw (or the
/// reason the request was refused), so <c>Ask&lt;TResult&gt;</c> works directly. A null result,
/// which Akka cannot deliver as a message, arrives as a <see cref="Status.Success"/> with a null status.
/// </summary>
/// <param name="Func">The function; must not be null.</param>
public sealed record ApplyRequest<TResult>(Func<TResult> Func) : IPoolRequest
{
    void IPoolRequest.Submit(RequestScope scope, IActorRef requester)
    {
        if (RequestArguments.Refuse(requester, scope, Func, chunkSize: null))
            return;
        if (ActorRequestJob.TryStart(scope.Registry, requester) is not { } job)
            return;
        try
        {
            ApplyJob.Dispatch(job.Id, new ThunkWork<TResult>(Func), scope.Group, scope.Provider,
                value => job.Reply(value is null ? new Status.Success(null) : value),
                error => job.Reply(new Status.Failure(error)));
        }
        catch (Exception ex)
        {
            job.Reply(new Status.Failure(ex));
        }
    }
}

/// <summary>Argument checks for request messages: a refusal is the reply, since there is no caller to throw to.</summary>
file static class RequestArguments
{
    public static bool Refuse(IActorRef requester, RequestScope scope, Delegate? func, int? chunkSize)
    {
        if (func is null)
            return Null(requester, "Func");
        Exception? error = chunkSize < 1
            ? new ArgumentOutOfRangeException("ChunkSize", chunkSize, "ChunkSize must be at least 1.")
            : null;
        if (error is null)
        {
            try
            {
                scope.Deployment.CheckFunction(func, "Func");
            }
            catch (ArgumentException ex)
            {
                error = ex;
            }
        }
        if (error is not null)
            requester.Tell(new Status.Failure(error));
        return error is not null;
    }

    public static bool Null(IActorRef requester, string name)
    {
        requester.Tell(new Status.Failure(new ArgumentNullException(name)));
        return true;
    }
}
