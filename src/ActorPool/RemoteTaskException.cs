namespace ActorPool;

/// <summary>
/// A task on another process threw an exception whose type cannot be recreated here (it is not
/// loaded in this process, or has no constructor taking a message). <see cref="Exception.Message"/>
/// is the original message (at most 16,384 characters travel; a longer one is cut and says so),
/// the stack trace is the remote one, and <see cref="Exception.InnerException"/> is the remote
/// inner exception, rebuilt the same way.
/// </summary>
public sealed class RemoteTaskException : Exception
{
    /// <summary>Creates the exception for a remote exception of type <paramref name="remoteType"/>.</summary>
    public RemoteTaskException(string remoteType, string message)
        : base(message) => RemoteType = remoteType;

    /// <summary>Creates the exception for a remote exception of type <paramref name="remoteType"/> with an inner exception.</summary>
    public RemoteTaskException(string remoteType, string message, Exception? innerException)
        : base(message, innerException) => RemoteType = remoteType;

    /// <summary>Full name of the type of the exception the task threw.</summary>
    public string RemoteType { get; }
}
