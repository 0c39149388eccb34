using ActorPool.Configuration;

namespace ActorPool.Remote;

/// <summary>
/// Counts the inbound TLS handshakes in progress, in all and per host, against the caps of
/// <see cref="TlsSettings"/>: a peer without the certificate can hold a connection only for the
/// length of a handshake, and without a cap could hold as many as it opens (sockets, buffers and
/// a timer each). Thread-safe: connections arrive on the transport's I/O threads, and handshakes
/// end on any thread.
/// </summary>
/// <remarks>
/// Loopback peers are not capped per host, only in all: they are this machine's processes, which
/// all share the host 127.0.0.1, and a <c>LocalProcesses</c> pool's worker processes connect to
/// their driver all at once when it starts (12 handshakes at once, measured with 16 processes on
/// a loaded machine). A cap per host there would only be a lower cap in all.
/// </remarks>
internal sealed class HandshakeSlots(int max, int maxPerHost)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _perHost = new(StringComparer.OrdinalIgnoreCase);
    private int _total;

    /// <summary>
    /// Takes a slot for a handshake with <paramref name="host"/>: null if it got one, which
    /// <see cref="Release"/> must give back when the handshake ends, else why not (the refusal
    /// names the setting, and is the same for every refusal of its kind, so that it is logged once).
    /// </summary>
    public string? TryTake(string host)
    {
        lock (_gate)
        {
            if (_total >= max)
                return $"{max} TLS handshakes are in progress already, the most {TlsSettings.Path}.max-inbound-handshakes allows";
            if (!LoopbackHost.Is(host))
            {
                var ofHost = _perHost.GetValueOrDefault(host);
                if (ofHost >= maxPerHost)
                    return $"{maxPerHost} TLS handshakes with it are in progress already, the most {TlsSettings.Path}.max-inbound-handshakes-per-host allows";
                _perHost[host] = ofHost + 1;
            }
            _total++;
            return null;
        }
    }

    /// <summary>Gives back the slot <see cref="TryTake"/> gave for a handshake with <paramref name="host"/>.</summary>
    public void Release(string host)
    {
        lock (_gate)
        {
            _total--;
            if (LoopbackHost.Is(host))
                return;
            // Emptied hosts go, so that the strangers of a day do not grow the table.
            if (_perHost[host] == 1)
                _perHost.Remove(host);
            else
                _perHost[host]--;
        }
    }
}
