// The Python notebook that started ActorPool, cell by cell, on an in-process pool: each cell uses
// one of multiprocessing.Pool's map, map_async, imap, imap_unordered, apply and apply_async, and
// the Python line it ran is quoted above its C#. The functions are static methods, as they would
// be in Python's module: that is also what lets the same code run on other nodes.
using ActorPool;

int[] querys = [1, 2, 3, 4];

// pool = mp.Pool(processes=mp.cpu_count()); r = pool.map(func, querys); print(r)
using (var pool = new Pool(Environment.ProcessorCount))
{
    var r = pool.Map(Func, querys);
    Console.WriteLine(Show(r));
}

// r = pool.map_async(func, querys); print(r.get())
using (var pool = new Pool(Environment.ProcessorCount))
{
    var r = pool.MapAsync(Func, querys);
    Console.WriteLine(Show(r.Get()));
}

// r = pool.imap(func, querys); for item in r: print(item)
using (var pool = new Pool(Environment.ProcessorCount))
{
    foreach (var item in pool.IMap(Func, querys))
        Console.WriteLine(item);
}

// r = pool.imap_unordered(func, querys); for item in r: print(item)   (completion order)
using (var pool = new Pool(Environment.ProcessorCount))
{
    foreach (var item in pool.IMapUnordered(Func, querys))
        Console.WriteLine(item);
}

// y = 5; r = [pool.apply(func_apply, args=(x, y)) for x in querys]; print(r)
const int y = 5;
using (var pool = new Pool(Environment.ProcessorCount))
{
    var r = querys.Select(x => pool.Apply(FuncApply, x, y)).ToList();
    Console.WriteLine(Show(r));
}

// r = [pool.apply_async(func_apply, args=(x, y)) for x in querys]; for item in r: print(item.get())
using (var pool = new Pool(Environment.ProcessorCount))
{
    var r = querys.Select(x => pool.ApplyAsync(FuncApply, x, y)).ToList();
    foreach (var item in r)
        Console.WriteLine(item.Get());
}

static int Func(int x) => x + 1;

static int FuncApply(int x, int y) => x + y;

static string Show<T>(IEnumerable<T> items) => "[" + string.Join(", ", items) + "]";
