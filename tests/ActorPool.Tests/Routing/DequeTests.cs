using ActorPool.Routing;
using CsCheck;

namespace ActorPool.Tests.Routing;

public sealed class DequeTests
{
    [Fact]
    public void AddFirst_KeepsTheAddedOrder_BeforeWhatWasThere()
    {
        var deque = new Deque<int>();
        deque.AddLast(3);
        deque.AddLast(4);
        deque.AddFirst([1, 2]);
        Assert.Equal([1, 2, 3, 4], deque);
        Assert.Equal(1, deque.RemoveFirst());
        Assert.Equal(2, deque.PeekFirst());
        Assert.Equal(3, deque.Count);
    }

    [Fact]
    public void RemoveFirst_Empty_Throws()
    {
        var deque = new Deque<int>();
        Assert.Throws<InvalidOperationException>(() => deque.RemoveFirst());
        Assert.Throws<InvalidOperationException>(() => deque.PeekFirst());
    }

    /// <summary>Random sequences of every operation, across the buffer's growth and wrap, against a list.</summary>
    [Fact]
    public void EveryOperation_RandomSequences_BehaveAsAList()
    {
        var step = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 40]);
        step.Array[0, 300].Sample(steps =>
        {
            var deque = new Deque<int>();
            var model = new List<int>();
            var next = 0;
            foreach (var (op, n) in steps)
            {
                switch (op)
                {
                    case 0 or 1:
                        deque.AddLast(next);
                        model.Add(next++);
                        break;
                    case 2:
                        var front = Enumerable.Range(next, n % 7).ToArray();
                        next += front.Length;
                        deque.AddFirst(front);
                        model.InsertRange(0, front);
                        break;
                    case 3 when model.Count > 0:
                        Assert.Equal(model[0], deque.RemoveFirst());
                        model.RemoveAt(0);
                        break;
                    case 4:
                        var divisor = n % 5 + 2;
                        Assert.Equal(model.Where(x => x % divisor == 0), deque.RemoveAll(x => x % divisor == 0));
                        model.RemoveAll(x => x % divisor == 0);
                        break;
                    case 5 when n == 0:
                        deque.Clear();
                        model.Clear();
                        break;
                }
                Assert.Equal(model.Count, deque.Count);
                Assert.Equal(model, deque);
            }
        }, iter: 500);
    }
}
