namespace ActorPool.Tests.Contract;

public abstract partial class PoolContract
{
    [Fact]
    public void BadArguments_AreRefusedUpFrontNamingTheArgument()
    {
        using var pool = NewPool();
        Func<int, int> func = Func;
        int[] items = [1];

        Assert.Equal("func", Assert.Throws<ArgumentNullException>(() => pool.Map((Func<int, int>)null!, items)).ParamName);
        Assert.Equal("iterable", Assert.Throws<ArgumentNullException>(() => pool.Map(func, null!)).ParamName);
        Assert.Equal("iterable", Assert.Throws<ArgumentNullException>(() => pool.IMap(func, null!)).ParamName);
        Assert.Equal("func", Assert.Throws<ArgumentNullException>(() => pool.ApplyAsync((Func<int>)null!)).ParamName);
        Assert.Equal("func", Assert.Throws<ArgumentNullException>(() => pool.StarMap((Func<int, int, int>)null!, [(1, 2)])).ParamName);

        Assert.Equal("chunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => pool.Map(func, items, chunkSize: 0)).ParamName);
        Assert.Equal("chunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => pool.IMap(func, items, chunkSize: 0)).ParamName);
        Assert.Equal("chunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => pool.IMapUnordered(func, items, chunkSize: -1)).ParamName);

        var result = pool.ApplyAsync(func, 1);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => result.Get(TimeSpan.FromSeconds(-1))).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => result.Wait(TimeSpan.FromSeconds(-1))).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => pool.IMap(func, items).Next(TimeSpan.FromSeconds(-1))).ParamName);
    }

    [Fact]
    public void BadOptions_AreRefusedNamingTheOption()
    {
        Assert.Equal("processes", Assert.Throws<ArgumentOutOfRangeException>(() => new Pool(0)).ParamName);
        Assert.Equal("options.Processes", Assert.Throws<ArgumentOutOfRangeException>(
            () => new Pool(new PoolOptions { Processes = -1 })).ParamName);
        Assert.Equal("options.MaxTasksPerChild", Assert.Throws<ArgumentOutOfRangeException>(
            () => new Pool(new PoolOptions { MaxTasksPerChild = 0 })).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new Pool((PoolOptions)null!)).ParamName);
        Assert.Equal("options.MaxWorkerLosses", Assert.Throws<ArgumentOutOfRangeException>(
            () => new Pool(new PoolOptions { MaxWorkerLosses = 0 })).ParamName);
        Assert.Equal("options.NoWorkerTimeout", Assert.Throws<ArgumentOutOfRangeException>(
            () => new Pool(new PoolOptions { NoWorkerTimeout = TimeSpan.Zero })).ParamName);
        Assert.Equal("options.NoWorkerTimeout", Assert.Throws<ArgumentOutOfRangeException>(
            () => new Pool(new PoolOptions { NoWorkerTimeout = TimeSpan.FromSeconds(-1) })).ParamName);
        var notANodeHost = Assert.Throws<ArgumentException>(() => new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.LocalProcesses,
            NodeHostPath = typeof(PoolContract).Assembly.Location,
        }));
        Assert.Equal("options.NodeHostPath", notANodeHost.ParamName);
        Assert.Contains(typeof(PoolContract).Assembly.Location, notANodeHost.Message);
        Assert.Equal("options.NodeHostPath", Assert.Throws<ArgumentException>(() => new Pool(new PoolOptions
        {
            Deployment = PoolDeployment.LocalProcesses,
            NodeHostPath = "/no/such/ActorPool.Node.dll",
        })).ParamName);
    }

    [Fact]
    public void Map_ChunkSizeLargerThanTheInput_RunsOneChunkAndJoinFinishes()
    {
        var pool = NewPool();
        Assert.Equal([2, 3, 4], pool.Map(Func, [1, 2, 3], chunkSize: int.MaxValue));
        Assert.Equal([2, 3], pool.IMap(Func, [1, 2], chunkSize: int.MaxValue).ToList());
        pool.Close();
        pool.Join();
    }
}
