using ActorPool.Remote;
using ActorPool.Testing;
using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace ActorPool.Tests.Remote;

/// <summary>
/// However a TLS association's read loop ends, the association is closed once and Akka is told:
/// driven here without processes, over a TLS stream the test scripts and a connection that counts
/// how often it was closed.
/// </summary>
public sealed class TlsAssociationHandleTests
{
    private static readonly Address Local = new("akka.tcp", "actorpool", "127.0.0.1", 1);
    private static readonly Address Remote = new("akka.tcp", "actorpool", "127.0.0.1", 2);

    [Fact]
    public void ReadLoop_StreamThrowsAnUnexpectedExceptionType_ClosesTheConnectionOnceTellsAkkaAndLogsIt()
    {
        var (handle, connection, tls, log) = Open();
        var akka = new Listener();
        handle.ReadHandlerSource.SetResult(akka);

        tls.Fail(new NotSupportedException("a defect below the read loop"));

        akka.WaitForDisassociated();
        Assert.Equal(1, connection.Closes);
        Assert.True(tls.Disposed.Task.IsCompleted, "The TLS stream was left open.");
        Assert.Contains(log.Errors, line => line.Contains("failed unexpectedly", StringComparison.Ordinal));
        Assert.False(handle.Write(ByteString.CopyFrom(1, 2, 3)), "A closed association took a write.");
#pragma warning disable CS0618 // Akka's own API, as Akka calls it
        handle.Disassociate(); // Akka closes its side after the news: the connection is closed already
#pragma warning restore CS0618
        Assert.Equal(1, connection.Closes);
        Assert.Equal(1, akka.Disassociations);
    }

    [Fact]
    public void ReadLoop_AkkaClosesTheAssociation_ClosesTheConnectionOnce()
    {
        var (handle, connection, tls, _) = Open();
        connection.OnClose = tls.End; // as a real connection does: closing it ends the stream under the TLS
        var akka = new Listener();
        handle.ReadHandlerSource.SetResult(akka);

        handle.Disassociate("the test closes it", NoLogger.Instance);

        akka.WaitForDisassociated();
        Assert.Equal(1, connection.Closes);
    }

    [Fact]
    public async Task ReadLoop_AkkaClosesTheAssociationBeforeTakingIt_EndsAndClosesTheTlsStream()
    {
        // Akka gave up on the association during the handshake: it never sets a listener.
        var (handle, connection, tls, _) = Open();

        handle.Disassociate("nobody waits for the association any more", NoLogger.Instance);

        await tls.Disposed.Task.WaitAsync(Gate.Limit); // throws if the read loop still waits for a listener that never comes
        Assert.Equal(1, connection.Closes);
    }

    private static (TlsAssociationHandle Handle, Connection Connection, ScriptedTlsStream Tls, CapturingLog Log) Open()
    {
        var connection = new Connection();
        var tls = new ScriptedTlsStream();
        var log = new CapturingLog();
        var handle = new TlsAssociationHandle(connection, tls, new HandleStream(connection, 1 << 20), 1 << 20, log);
        return (handle, connection, tls, log);
    }

    /// <summary>The TCP association under the TLS, counting how often it was closed.</summary>
    private sealed class Connection() : AssociationHandle(Local, Remote)
    {
        private int _closes;

        public int Closes => Volatile.Read(ref _closes);

        public Action? OnClose { get; set; }

        public override bool Write(ByteString payload) => true;

        [Obsolete("Akka's own API")]
        public override void Disassociate()
        {
            Interlocked.Increment(ref _closes);
            OnClose?.Invoke();
        }
    }

    /// <summary>A TLS stream whose one read ends as the test says: with bytes' end, or an exception.</summary>
    private sealed class ScriptedTlsStream : DuplexStream
    {
        private readonly TaskCompletionSource<int> _read = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Fail(Exception error) => _read.TrySetException(error);

        public void End() => _read.TrySetResult(0);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => await _read.Task;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
        }

        protected override void Dispose(bool disposing)
        {
            Disposed.TrySetResult();
            base.Dispose(disposing);
        }
    }

    /// <summary>Akka's side: what the association told it.</summary>
    private sealed class Listener : IHandleEventListener
    {
        private readonly ManualResetEventSlim _disassociated = new();
        private int _disassociations;

        public int Disassociations => Volatile.Read(ref _disassociations);

        public void Notify(IHandleEvent ev)
        {
            if (ev is Disassociated)
            {
                Interlocked.Increment(ref _disassociations);
                _disassociated.Set();
            }
        }

        public void WaitForDisassociated() =>
            Assert.True(_disassociated.Wait(Gate.Limit), "Akka was never told the association ended.");
    }

    /// <summary>Keeps the errors logged.</summary>
    private sealed class CapturingLog() : LoggingAdapterBase(DefaultLogMessageFormatter.Instance)
    {
        private readonly List<string> _errors = [];

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_errors)
                    return _errors.ToArray();
            }
        }

        public override bool IsDebugEnabled => false;

        public override bool IsInfoEnabled => false;

        public override bool IsWarningEnabled => true;

        public override bool IsErrorEnabled => true;

        protected override void NotifyLog(LogLevel logLevel, object message, Exception? cause = null)
        {
            if (logLevel == LogLevel.ErrorLevel)
                lock (_errors)
                    _errors.Add(message.ToString()!);
        }
    }
}
