// An ASP.NET Core minimal API that maps each request's items on the injected pool.
//   dotnet run --project samples/MinimalApi
//   curl -s -X POST http://127.0.0.1:5080/square -H 'Content-Type: application/json' -d '{"items":[1,2,3]}'
// prints {"results":[1,4,9]}. The pool's options come from the ActorPool section of appsettings.json;
// stopping the app (Ctrl-C) closes the pool and lets requests under way finish.
using ActorPool;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddActorPool();
var app = builder.Build();

app.MapPost("/square", async (SquareRequest request, Pool pool, CancellationToken cancellationToken) =>
    new SquareResponse(await pool.MapAsync(Square, request.Items, cancellationToken: cancellationToken)));

app.Run();

static long Square(long x) => x * x;

/// <summary>The body of POST /square.</summary>
internal sealed record SquareRequest(long[] Items);

/// <summary>The answer of POST /square: the squares, in the order of the items.</summary>
internal sealed record SquareResponse(IReadOnlyList<long> Results);
