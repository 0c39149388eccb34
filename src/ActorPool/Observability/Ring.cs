namespace ActorPool.Observability;

/// <summary>
/// The last <c>capacity</c> items added, each numbered in the order it came, so that a reader can
/// ask for what came after the last item it read. Not thread-safe: its owner locks.
/// </summary>
internal sealed class Ring<T>(int capacity)
{
    private readonly T[] _items = new T[capacity];
    private long _added;

    /// <summary>Items ever added.</summary>
    public long Added => _added;

    public void Add(T item) => _items[_added++ % _items.Length] = item;

    /// <summary>
    /// The items added since <paramref name="cursor"/> items had been (all still kept of them, if
    /// some were overwritten since), oldest first; sets the cursor to <see cref="Added"/>.
    /// </summary>
    public IReadOnlyList<T> Since(ref long cursor)
    {
        var from = Math.Max(Math.Max(cursor, 0), _added - _items.Length);
        var list = new List<T>((int)Math.Max(0, _added - from));
        for (var i = from; i < _added; i++)
            list.Add(_items[i % _items.Length]);
        cursor = _added;
        return list;
    }
}
