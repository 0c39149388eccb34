namespace ActorPool.Tests.Contract;

public abstract partial class PoolContract
{
    [Fact]
    public void Close_UnconsumedIMap_JoinStillFinishes()
    {
        var pool = NewPool();
        var results = pool.IMap(Func, Enumerable.Range(0, 1_000)); // far more than the in-flight window
        pool.Close();
        pool.Join();
        Assert.Equal(Enumerable.Range(1, 1_000), results.ToList());
    }

    [Fact]
    public void Join_WhileRunning_Throws()
    {
        using var pool = NewPool();
        Assert.Throws<InvalidOperationException>(() => pool.Join());
    }

    [Fact]
    public void CloseTerminateDispose_InAnyOrder_AreSafe()
    {
        var pool = NewPool();
        pool.Close();
        pool.Close();
        pool.Terminate();
        pool.Terminate();
        pool.Join();
        pool.Join();
        pool.Dispose();
    }

}
