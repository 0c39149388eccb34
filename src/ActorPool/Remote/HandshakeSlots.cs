using ActorPool.Configuration;

namespace ActorPool.Remote;

/// <summary>
/// Bounds the inbound TLS handshakes in progress, in all and per host, by the caps of
/// <see cref="TlsSettings"/>: a peer without the certificate can hold a connection only for the
/// length of a handshake, and without a cap could hold as many as it opens (sockets, buffers and
/// a timer each). Thread-safe: connections arrive on the transport's I/O threads, and handshakes
/// end on any thread.
/// </summary>
/// <remarks>
/// <para>
/// A new connection is always let in; when a cap is full, the <em>oldest</em> handshake under it
/// is ended instead (<see cref="Slot.Evicted"/>). A member's handshake takes milliseconds, so the
/// oldest in progress is almost always a stranger's silent one: a stranger who keeps the caps full
/// cannot keep members out, as refusing the newcomer would let it (it would only have to open a
/// connection per slot per handshake timeout). To end a member's handshake it would have to open
/// more connections than the cap within that handshake's few milliseconds.
/// </para>
/// <para>
/// Loopback peers are not capped per host, only in all: they are this machine's processes, which
/// all share the host 127.0.0.1, and a <c>LocalProcesses</c> pool's worker processes connect to
/// their driver all at once when it starts (12 handshakes at once, measured with 16 processes on
/// a loaded machine). A cap per host there would only be a lower cap in all.
/// </para>
/// </remarks>
internal sealed class HandshakeSlots(int max, int maxPerHost)
{
    private readonly object _gate = new();
    private readonly LinkedList<Slot> _inOrder = new();
    private readonly Dictionary<string, int> _perHost = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A handshake in progress with <see cref="Host"/>.</summary>
    internal sealed class Slot(string host)
    {
        private readonly CancellationTokenSource _evicted = new();

        /// <summary>The peer's host.</summary>
        public string Host { get; } = host;

        /// <summary>Cancelled when a newer connection took this handshake's place under a full cap; its handshake is then given up.</summary>
        public CancellationToken Evicted { get; private set; }

        /// <summary>Why it was evicted (the setting whose cap was full), once it was.</summary>
        public string? Reason { get; private set; }

        /// <summary>Its node in the order of arrival, while it counts.</summary>
        internal LinkedListNode<Slot>? Node { get; set; }

        internal void Start() => Evicted = _evicted.Token;

        /// <summary>Ends the handshake: called outside the gate, since cancellation runs the handshake's callbacks in line.</summary>
        internal void Evict()
        {
            try
            {
                _evicted.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Its handshake had ended meanwhile.
            }
        }

        internal void MarkEvicted(string reason) => Reason = reason;

        internal void Dispose() => _evicted.Dispose();
    }

    /// <summary>The handshakes counted now (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
                return _inOrder.Count;
        }
    }

    /// <summary>
    /// A slot for a handshake with <paramref name="host"/>, which <see cref="Release"/> must give back
    /// when the handshake ends. Under a full cap, the oldest handshake under that cap (of the same
    /// host for the cap per host) is evicted: its <see cref="Slot.Evicted"/> is cancelled, and its
    /// <see cref="Slot.Reason"/> names the setting (the same for every eviction of its kind, so that
    /// it is logged once per host).
    /// </summary>
    public Slot Take(string host)
    {
        var slot = new Slot(host);
        slot.Start();
        Slot? evicted = null;
        lock (_gate)
        {
            var loopback = LoopbackHost.Is(host);
            if (!loopback && _perHost.GetValueOrDefault(host) >= maxPerHost)
            {
                evicted = Oldest(of => string.Equals(of.Host, host, StringComparison.OrdinalIgnoreCase));
                evicted?.MarkEvicted($"{maxPerHost} newer TLS handshakes with it were in progress, the most {TlsSettings.Path}.max-inbound-handshakes-per-host allows");
            }
            else if (_inOrder.Count >= max)
            {
                evicted = Oldest(_ => true);
                evicted?.MarkEvicted($"{max} newer TLS handshakes were in progress, the most {TlsSettings.Path}.max-inbound-handshakes allows");
            }
            if (evicted is not null)
                Remove(evicted);
            slot.Node = _inOrder.AddLast(slot);
            if (!loopback)
                _perHost[host] = _perHost.GetValueOrDefault(host) + 1;
        }
        evicted?.Evict();
        return slot;
    }

    /// <summary>Gives back <paramref name="slot"/>, once its handshake has ended, however it ended (an evicted one was given back already).</summary>
    public void Release(Slot slot)
    {
        lock (_gate)
        {
            if (slot.Node is not null)
                Remove(slot);
        }
        slot.Dispose();
    }

    /// <summary>Called under the gate.</summary>
    private Slot? Oldest(Func<Slot, bool> matches)
    {
        for (var node = _inOrder.First; node is not null; node = node.Next)
        {
            if (matches(node.Value))
                return node.Value;
        }
        return null;
    }

    /// <summary>Called under the gate, for a slot that counts.</summary>
    private void Remove(Slot slot)
    {
        _inOrder.Remove(slot.Node!);
        slot.Node = null;
        if (LoopbackHost.Is(slot.Host))
            return;
        // Emptied hosts go, so that the strangers of a day do not grow the table.
        if (_perHost[slot.Host] == 1)
            _perHost.Remove(slot.Host);
        else
            _perHost[slot.Host]--;
    }
}
