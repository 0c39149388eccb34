using System.Net.Sockets;

namespace ActorPool.Remote.Plane;

/// <summary>
/// The time a data connection's opening (connect, TLS handshake and hellos) has, on a thread that
/// blocks on its socket (<see cref="PlaneOpening"/>): when <c>limit</c> passes, or the opening is
/// given up by <c>cancellation</c>, the socket is shut down and closed, which ends whatever call
/// waits on it (Linux wakes a blocked connect, accept, read or write when its socket shuts down).
/// </summary>
internal sealed class OpeningDeadline : IDisposable
{
    private readonly Socket _socket;
    private readonly TimeSpan _limit;
    private readonly CancellationToken _cancellation;
    private readonly Action? _fired;
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenRegistration _closing;
    private int _passed; // 1 once the socket was closed for it

    /// <param name="socket">The socket being opened.</param>
    /// <param name="limit">The time the whole opening has.</param>
    /// <param name="cancellation">Gives the opening up (its system stopping, its handshake slot taken by a newer one).</param>
    /// <param name="fired">Called once the socket is closed for the deadline, on the timer's or the cancelling thread; null for nothing more.</param>
    public OpeningDeadline(Socket socket, TimeSpan limit, CancellationToken cancellation, Action? fired = null)
    {
        _socket = socket;
        _limit = limit;
        _cancellation = cancellation;
        _fired = fired;
        _timer = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        _closing = _timer.Token.Register(Close);
        _timer.CancelAfter(limit);
    }

    /// <summary>
    /// Why a call of the opening failed, if the deadline ended it: "it did not <paramref name="what"/>
    /// within" the limit, or "its opening was given up"; null if the deadline has not passed.
    /// </summary>
    public string? Why(string what) =>
        Volatile.Read(ref _passed) == 0 ? null
        : _cancellation.IsCancellationRequested ? "its opening was given up"
        : $"it did not {what} within the {_limit.TotalSeconds:0.#} s its opening has";

    /// <summary>The opening is over in time: the socket is no longer closed for it.</summary>
    /// <exception cref="IOException">The deadline passed first (the socket is closed); the message says so.</exception>
    public void Met()
    {
        _closing.Dispose(); // waits for a Close that runs now
        if (Why("open") is { } why)
            throw new IOException(why);
    }

    public void Dispose()
    {
        _closing.Dispose();
        _timer.Dispose();
    }

    private void Close()
    {
        Volatile.Write(ref _passed, 1);
        try
        {
            _socket.Shutdown(SocketShutdown.Both); // what wakes a blocked call: closing alone may not
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Not connected yet, or closed already.
        }
        _fired?.Invoke(); // before Dispose, which waits for the blocked calls to return: where the shutdown wakes none, the opening's caller still hears now
        _socket.Dispose();
    }
}
