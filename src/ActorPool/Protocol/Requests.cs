using ActorPool.Coordination;
using ActorPool.Protocol;
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
        if (Func is null || Items is null || ChunkSize < 1)
        {
            requester.Tell(new Status.Failure(Func is null ? new ArgumentNullException(nameof(Func))
                : Items is null ? new ArgumentNullException(nameof(Items))
                : new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "ChunkSize must be at least 1.")));
            return;
        }
        if (ActorRequestJob.TryStart(scope.Registry, requester) is not { } job)
            return;
        if (Items.Count == 0)
        {
            job.Reply(Array.Empty<TResult>());
            return;
        }
        var items = Items.ToArray();
        var chunks = Chunking.Split(items, ChunkSize ?? Chunking.DefaultChunkSize(items.Length, scope.Processes),
            chunk => new MapWork<T, TResult>(Func, chunk));
        new MapJob<TResult>(job.Id, chunks, new ReplyRef(scope.Provider, job.Reply)).Start(scope.Context, scope.Group);
    }
}

/// <summary>
/// A message that asks a pool's <see cref="Pool.Router"/>, from an actor in the same
/// ActorSystem, to run <see cref="Func"/> once on a worker: the actor form of
/// <see cref="Pool.ApplyAsync{TResult}"/>. The sender receives the <typeparamref name="TResult"/>
/// itself, or a <see cref="Status.Failure"/> whose cause is the exception the function threw (or the
/// reason the request was refused), so <c>Ask&lt;TResult&gt;</c> works directly.
/// </summary>
/// <param name="Func">The function; must not be null.</param>
public sealed record ApplyRequest<TResult>(Func<TResult> Func) : IPoolRequest
{
    void IPoolRequest.Submit(RequestScope scope, IActorRef requester)
    {
        if (Func is null)
        {
            requester.Tell(new Status.Failure(new ArgumentNullException(nameof(Func))));
            return;
        }
        if (ActorRequestJob.TryStart(scope.Registry, requester) is not { } job)
            return;
        var reply = new ReplyRef(scope.Provider, message =>
        {
            if (message is ChunkResult<TResult> result)
                job.Reply(result.FirstError is { } error ? new Status.Failure(error) : result.Values[0]!);
        });
        scope.Group.Workers.Tell(new RunChunk(job.Id, 0, 0, new ThunkWork<TResult>(Func), reply), scope.Context.Self);
    }
}
