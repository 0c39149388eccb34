using System.Collections;
using System.Diagnostics;

namespace ActorPool.Routing;

/// <summary>
/// A double-ended queue on a growing ring buffer: adds at either end and removes from the front in
/// O(1), so that chunks handed back go to the front of a <see cref="WorkQueue"/> in time that
/// depends on their count only, not on the queue's length. Not thread-safe.
/// </summary>
internal sealed class Deque<T> : IEnumerable<T>
{
    private T[] _items = new T[16]; // its length always a power of 2, so that an index wraps with a mask
    private int _head; // index of the first item
    private int _count;

    /// <summary>Items held.</summary>
    public int Count => _count;

    /// <summary>Adds <paramref name="item"/> at the back.</summary>
    public void AddLast(T item)
    {
        Grow();
        _items[Wrap(_head + _count)] = item;
        _count++;
    }

    /// <summary>Adds <paramref name="added"/> at the front, keeping their order: the first of them becomes the first.</summary>
    public void AddFirst(IReadOnlyCollection<T> added)
    {
        var items = added as IReadOnlyList<T> ?? [.. added];
        for (var i = items.Count - 1; i >= 0; i--)
        {
            Grow();
            _head = Wrap(_head - 1 + _items.Length);
            _items[_head] = items[i];
            _count++;
        }
    }

    /// <summary>The first item.</summary>
    /// <exception cref="InvalidOperationException">The deque is empty.</exception>
    public T PeekFirst() => _count > 0 ? _items[_head] : throw new InvalidOperationException("The deque is empty.");

    /// <summary>Removes and returns the first item.</summary>
    /// <exception cref="InvalidOperationException">The deque is empty.</exception>
    public T RemoveFirst()
    {
        var first = PeekFirst();
        _items[_head] = default!; // no reference kept to what left
        _head = Wrap(_head + 1);
        _count--;
        return first;
    }

    /// <summary>Removes every item for which <paramref name="match"/> holds, keeping the others' order, and returns the removed ones in order.</summary>
    public List<T> RemoveAll(Func<T, bool> match)
    {
        var removed = new List<T>();
        var kept = 0;
        for (var i = 0; i < _count; i++)
        {
            var item = _items[Wrap(_head + i)];
            if (match(item))
                removed.Add(item);
            else
                _items[Wrap(_head + kept++)] = item;
        }
        for (var i = kept; i < _count; i++)
            _items[Wrap(_head + i)] = default!;
        _count = kept;
        return removed;
    }

    /// <summary>Removes every item.</summary>
    public void Clear()
    {
        Array.Clear(_items);
        _head = 0;
        _count = 0;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
            yield return _items[Wrap(_head + i)];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int Wrap(int index) => index & (_items.Length - 1);

    /// <summary>Doubles the buffer when it is full, moving the items to its start in order.</summary>
    private void Grow()
    {
        if (_count < _items.Length)
            return;
        var bigger = new T[_items.Length * 2];
        for (var i = 0; i < _count; i++)
            bigger[i] = _items[Wrap(_head + i)];
        _items = bigger;
        _head = 0;
        Debug.Assert(_count < _items.Length && (_items.Length & (_items.Length - 1)) == 0);
    }
}
