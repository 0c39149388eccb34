namespace ActorPool.Tests.Contract;

/// <summary>
/// Lambdas that capture variables: they run everywhere, with the same results as in process;
/// where the workers are other processes, their captured values travel as data, read when the job
/// is submitted, and what cannot travel is refused at submission, naming the variable.
/// </summary>
public abstract partial class PoolContract
{
    /// <summary>A record of the test assembly's own, captured by a lambda.</summary>
    public sealed record Scale(string Name, double Factor, int[] Offsets);

    /// <summary>Whether the pool's workers are other processes (LocalProcesses, Cluster), which functions reach by name and captured values as data.</summary>
    private bool WorkersInOtherProcesses => this is not SharedMemoryPoolContract;

    private readonly int _instanceOffset = 1;

    [Fact]
    public async Task Closures_CapturingIntsStringsArraysARecordAndTwoNestedScopes_ReturnTheSameResultsAsInProcess()
    {
        var factor = 3;
        var prefix = "n";
        var weights = new[] { 10, 20, 30 };
        var scale = new Scale("s", 2.5, [7, 11]);
        Func<int, string> describe = x => $"{prefix}{x * factor + weights[x % weights.Length]}:{scale.Name}{scale.Factor * x}/{scale.Offsets[x % 2]}";
        Func<int, int, int> multiply = (a, b) => a * b * factor;
        Func<int, Task<int>> later = async x =>
        {
            await Task.Yield();
            return x * factor + weights[0];
        };
        var input = Enumerable.Range(0, 20).ToList();

        using var pool = NewPool();
        Assert.Equal(input.Select(describe), pool.Map(describe, input, chunkSize: 3));
        Assert.Equal(input.Select(describe), pool.IMap(describe, input, chunkSize: 4));
        Assert.Equal(describe(5), pool.Apply(describe, 5));
        Assert.Equal(prefix + factor, pool.Apply(() => prefix + factor));
        var pairs = input.Select(x => (x, x + 1)).ToList();
        var products = new List<int>();
        foreach (var (a, b) in pairs)
            products.Add(multiply(a, b)); // not in a lambda: a closure holds every variable its scope's lambdas capture, a delegate included
        Assert.Equal(products, pool.StarMap(multiply, pairs));
        Assert.Equal(input.Select(x => x * factor + weights[0]), pool.Map(later, input));
        Assert.Equal(await later(4), await pool.ApplyAsync(later, 4).AsTask());
        Assert.Equal(NestedScopes(pool), NestedScopes(null));
        // Its closure holds pool too, which the outer lambda captures: only what a lambda uses travels.
        Assert.Equal(input.Select(x => x * factor), await Task.Run(() => pool.Map(x => x * factor, input)));
    }

    /// <summary>What a lambda capturing variables of two nested scopes returns from <paramref name="pool"/>, or in this thread for null.</summary>
    private static List<string> NestedScopes(Pool? pool)
    {
        var offset = 100;
        var input = Enumerable.Range(0, 10).ToArray();
        var results = new List<string>();
        foreach (var factor in new[] { 2, 3 })
        {
            var label = $"x{factor}";
            // Its closure holds factor and label, and the enclosing scope's closure, which holds offset.
            Func<int, string> scaled = x => $"{label}:{x * factor + offset}";
            results.AddRange(pool is null ? input.Select(scaled) : pool.Map(scaled, input, chunkSize: 2));
        }
        return results;
    }

    [ThreadStatic] private static string? t_tag;

    internal static string Tag(int x) => t_tag ?? "";

    [Fact]
    public void Initializer_CapturingAString_RunsOnEveryWorkerWithItsValue()
    {
        var tag = $"tag-{Guid.NewGuid():N}";
        using var pool = NewPool(() => t_tag = tag, maxTasksPerChild: null);
        Assert.All(pool.Map(Tag, Enumerable.Range(0, 8), chunkSize: 1), seen => Assert.Equal(tag, seen));
    }

    private static Func<int, int> CapturingAnObject(object value) => x => x + (int)value;

    private static Func<int, int> CapturingAnInterface(IComparable<int> comparable) => x => comparable.CompareTo(x);

    private static Func<int, int> CapturingADelegate(Func<int, int> inner) => x => inner(x) + 1;

    private Func<int, int> CapturingThis() => x => x + _instanceOffset;

    private Func<int, int> CapturingThisAndALocal(int local) => x => x + local + _instanceOffset;

    private static Func<int, int> CapturingATokenSource(CancellationTokenSource source) => x => source.IsCancellationRequested ? -x : x + 1;

    private static Func<int, int> CapturingAPool(Pool pool) => x => pool.Name.Length > 0 ? x + 1 : x;

    [Fact]
    public void Closures_CapturingWhatCannotTravel_AreRefusedAtSubmissionNamingTheVariable_InProcessTheyRun()
    {
        (Func<int, int> Func, string Named, string Advice)[] refused =
        [
            (CapturingAnObject(1), "captures the variable 'value' declared as System.Object", "Declare the variable with a concrete type"),
            (CapturingAnInterface(0), "captures the variable 'comparable' declared as System.IComparable", "Declare the variable with a concrete type"),
            (CapturingADelegate(Func), "captures the delegate 'inner'", "Call the method it stands for"),
            (CapturingThis(), "captures 'this'", "Copy what it needs into local variables"),
            (CapturingThisAndALocal(0), "captures 'this'", "Copy what it needs into local variables"),
            // The wire would have made a fresh, uncancelled source on the node (and a new pool there, for a pool).
            (CapturingATokenSource(new CancellationTokenSource()), "captures the variable 'source' of type System.Threading.CancellationTokenSource", "Capture the data the lambda needs"),
        ];
        using var pool = NewPool();
        refused = [.. refused, (CapturingAPool(pool), "captures the variable 'pool' of type ActorPool.Pool", "Capture the data the lambda needs")];
        foreach (var (func, named, advice) in refused)
        {
            if (!WorkersInOtherProcesses)
            {
                Assert.Equal([func(1), func(2)], pool.Map(func, [1, 2]));
                continue;
            }
            // Thrown by the call itself, before any result exists: at submission.
            var error = Assert.Throws<ArgumentException>(() => pool.MapAsync(func, [1, 2]));
            Assert.Equal("func", error.ParamName);
            Assert.Contains(named, error.Message);
            Assert.Contains(advice, error.Message);
            Assert.Equal("func", Assert.Throws<ArgumentException>(() => pool.Apply(func, 1)).ParamName);
        }
        Assert.Equal([2, 3], pool.Map(Func, [1, 2])); // the pool still serves
    }

    private static IEnumerable<int> AfterTheFirst(Gate gate)
    {
        yield return 1;
        gate.Pass();
        yield return 2;
        yield return 3;
    }

    /// <summary>
    /// A captured variable changed after the job was submitted: the workers of other processes see
    /// its value at submission, even for chunks made from input read after the change (in process,
    /// a lambda reads its variables when it runs, as C# does).
    /// </summary>
    protected void AssertACapturedVariableChangedAfterSubmissionIsNotSeen()
    {
        var factor = 2;
        var changed = new Gate();
        using var pool = NewPool();
        var results = pool.IMap(x => x * factor, AfterTheFirst(changed));
        factor = 10;
        changed.Open();
        Assert.Equal([2, 4, 6], results.ToList());
    }
}
