using System.Collections.Concurrent;

namespace ActorPool.Tests.Contract;

public abstract partial class PoolContract
{
    internal static int Three(int a, int b, int c) => a * 100 + b * 10 + c;

    internal static int Boom() => throw new ArithmeticException("boom");

    [Fact]
    public void Apply_EveryArity_ReturnsTheFunctionsResult()
    {
        using var pool = NewPool();
        Assert.Equal(42, pool.Apply(() => 42));
        Assert.Equal(2, pool.Apply(Func, 1));
        Assert.Equal([6, 7, 8, 9], new[] { 1, 2, 3, 4 }.Select(x => pool.Apply(FuncApply, x, 5)));
        Assert.Equal(123, pool.Apply(Three, 1, 2, 3));
    }

    [Fact]
    public void ApplyAsync_EveryArity_GetReturnsTheResult()
    {
        using var pool = NewPool();
        Assert.Equal(42, pool.ApplyAsync(() => 42).Get(Limit));
        Assert.Equal(2, pool.ApplyAsync(Func, 1).Get(Limit));
        var results = new[] { 1, 2, 3, 4 }.Select(x => pool.ApplyAsync(FuncApply, x, 5)).ToList();
        Assert.Equal([6, 7, 8, 9], results.Select(r => r.Get(Limit)));
        Assert.Equal(123, pool.ApplyAsync(Three, 1, 2, 3).Get(Limit));
    }

    [Fact]
    public void Apply_WorkerThrows_RethrowsOriginalExceptionWithWorkerStack()
    {
        using var pool = NewPool();
        var error = Assert.Throws<ArithmeticException>(() => pool.Apply(Boom));
        Assert.Equal("boom", error.Message);
        Assert.Contains(nameof(Boom), error.StackTrace);
    }

    [Fact]
    public void ApplyAsync_Callbacks_ResultGoesToCallbackAndErrorToErrorCallback()
    {
        using var pool = NewPool();
        var values = new ConcurrentQueue<int>();
        var errors = new ConcurrentQueue<Exception>();
        var ok = pool.ApplyAsync(Func, 1, values.Enqueue, errors.Enqueue);
        var bad = pool.ApplyAsync(Boom, values.Enqueue, errors.Enqueue);
        Assert.Equal(2, ok.Get(Limit));
        Assert.True(bad.Wait(Limit));
        Assert.Equal([2], values);
        Assert.IsType<ArithmeticException>(Assert.Single(errors));
    }

    [Fact]
    public void ApplyAsync_CallbackThrows_ResultAndPoolUnaffected()
    {
        using var pool = NewPool();
        var result = pool.ApplyAsync(Func, 1, _ => throw new InvalidCastException("callback bug"));
        Assert.Equal(2, result.Get(Limit));
        Assert.True(result.Successful());
        Assert.Equal(3, pool.Apply(Func, 2));
    }

    [Fact]
    public async Task ApplyAsync_Awaited_ReturnsResultOrThrows()
    {
        await using var pool = NewPool();
        Assert.Equal(2, await pool.ApplyAsync(Func, 1));
        await Assert.ThrowsAsync<ArithmeticException>(async () => await pool.ApplyAsync(Boom));
    }

    [Fact]
    public void ApplyAsync_ManyConcurrentSubmitters_EveryResultArrives()
    {
        using var pool = NewPool();
        var results = new ConcurrentBag<(int Input, AsyncResult<int> Result)>();
        Parallel.For(0, 2_000, i => results.Add((i, pool.ApplyAsync(Func, i))));
        Assert.All(results, r => Assert.Equal(r.Input + 1, r.Result.Get(Limit)));
    }
}
