using System.Runtime.ExceptionServices;
using System.Text;
using ActorPool.Protocol;

namespace ActorPool.Remote;

/// <summary>
/// An exception in wire form: its type's name, message, stack trace, parameter name and inner
/// exceptions (the <see cref="Exception.InnerException"/> chain, or an
/// <see cref="AggregateException"/>'s inner exceptions), never the exception object. Building
/// one never throws, whatever the exception's getters do, and its size is bounded: what could not
/// be carried is said in the message.
/// </summary>
/// <param name="Type">Full name of the exception's type.</param>
/// <param name="Message">
/// The message. For the types rebuilt with their parameter name or inner exceptions
/// (<see cref="ArgumentException"/>, <see cref="ArgumentNullException"/>,
/// <see cref="ArgumentOutOfRangeException"/>, <see cref="AggregateException"/>), the message
/// without what those types add to it, since the rebuilt exception adds it again.
/// </param>
/// <param name="StackTrace">The remote stack trace, or null.</param>
/// <param name="ParamName">An argument exception's parameter name, or null.</param>
/// <param name="ActualValue">An <see cref="ArgumentOutOfRangeException"/>'s actual value, as text, or null.</param>
/// <param name="Inner">Inner exceptions: one for a chain, several for an aggregate.</param>
internal sealed record WireError(string Type, string Message, string? StackTrace, string? ParamName, string? ActualValue, WireError[] Inner)
{
    /// <summary>Characters of a message or stack trace that travel; the rest is cut, and the cut is said.</summary>
    public const int MaxTextChars = 16 * 1024;

    /// <summary>Exceptions of one tree (the exception and its inner exceptions, however nested) that travel.</summary>
    public const int MaxExceptions = 32;

    /// <summary>Levels of inner exceptions that travel below the exception itself.</summary>
    public const int MaxDepth = 8;

    /// <summary>The wire form of <paramref name="error"/>; never throws.</summary>
    public static WireError From(Exception error)
    {
        var budget = MaxExceptions;
        return From(error, depth: 0, ref budget);
    }

    private static WireError From(Exception error, int depth, ref int budget)
    {
        budget--;
        var type = error.GetType().FullName ?? error.GetType().Name;
        if (error is RemoteTaskException remote)
            type = remote.RemoteType;
        var message = UserText.MessageOf(error);
        var stackTrace = UserText.Read(() => error.StackTrace, "the exception's StackTrace"); // null for one never thrown
        string? paramName = null;
        string? actualValue = null;
        var inner = new List<WireError>();
        var notCarried = 0;
        Exception[] inners;
        try
        {
            inners = error is AggregateException aggregate ? [.. aggregate.InnerExceptions]
                : error.InnerException is { } one ? [one]
                : [];
        }
        catch (Exception ex)
        {
            inners = [];
            message += $" [its inner exceptions could not be read: {ex.GetType().FullName}]";
        }
        foreach (var next in inners)
        {
            if (depth >= MaxDepth || budget <= 0)
            {
                notCarried++;
                continue;
            }
            inner.Add(From(next, depth + 1, ref budget));
        }
        try
        {
            if (Rebuilt(error))
            {
                if (error is ArgumentException argument)
                {
                    paramName = argument.ParamName;
                    if (argument is ArgumentOutOfRangeException { ActualValue: { } value })
                        actualValue = UserText.Read(() => value.ToString(), "the actual value");
                }
                message = WithoutAddedText(error, message);
            }
        }
        catch (Exception)
        {
            // A parameter name or actual value that cannot be read: the full message still says it.
        }
        if (notCarried > 0)
            message += $" [{notCarried} more inner exception(s) not carried]";
        return new WireError(type, Truncate(message)!, Truncate(stackTrace), paramName, Truncate(actualValue), [.. inner]);
    }

    /// <summary>A small form of this error: the start of its message, no stack trace, and the small form of its first inner exception only.</summary>
    public WireError Compact() =>
        new(Type, Truncate(Message, 1024)!, null, ParamName, Truncate(ActualValue, 256), Inner.Length > 0 ? [Inner[0].Compact()] : []);

    /// <summary>About how many bytes this error takes on the wire.</summary>
    public long Bytes =>
        16 + Utf8(Type) + Utf8(Message) + Utf8(StackTrace) + Utf8(ParamName) + Utf8(ActualValue) + Inner.Sum(inner => inner.Bytes);

    /// <summary>
    /// The exception, rebuilt as its own type where that type is loaded here, with its message,
    /// parameter name, inner exceptions and the remote stack trace; otherwise a
    /// <see cref="RemoteTaskException"/> that says what the type was. Never throws.
    /// </summary>
    public Exception Decode()
    {
        var inner = Inner.Select(error => error.Decode()).ToArray();
        var error = TryCreate(inner) ?? new RemoteTaskException(Type, Message, inner.FirstOrDefault());
        return StackTrace is null ? error : ExceptionDispatchInfo.SetRemoteStackTrace(error, StackTrace);
    }

    /// <summary>The exception as its own type, or null where that type is not here or cannot be built.</summary>
    private Exception? TryCreate(Exception[] inner)
    {
        try
        {
            return Create(inner);
        }
        catch (Exception)
        {
            return null; // a constructor that threw
        }
    }

    private Exception? Create(Exception[] inner)
    {
        // Only an exception type already loaded here is created, and only through its public constructors.
        var type = AppDomain.CurrentDomain.GetAssemblies()
            .Select(assembly => assembly.GetType(Type, throwOnError: false))
            .FirstOrDefault(candidate => candidate is not null && typeof(Exception).IsAssignableFrom(candidate) && !candidate.IsAbstract);
        if (type is null)
            return null;
        var first = inner.FirstOrDefault();
        // The types whose one-string constructor takes a parameter name, not a message, and those
        // that carry more than a message, are built with the constructor that says what each value is.
        if (type == typeof(ArgumentOutOfRangeException))
            return ParamName is null && first is not null ? new ArgumentOutOfRangeException(Message, first) : new ArgumentOutOfRangeException(ParamName, ActualValue, Message);
        if (type == typeof(ArgumentNullException))
            return ParamName is null && first is not null ? new ArgumentNullException(Message, first) : new ArgumentNullException(ParamName, Message);
        if (type == typeof(ArgumentException))
            return new ArgumentException(Message, ParamName, first);
        if (type == typeof(AggregateException))
            return new AggregateException(Message, inner);
        // Constructors that break the conventions below: rebuilt as RemoteTaskException, which keeps the message.
        if (type == typeof(TypeInitializationException))
            return null;
        // By .NET's convention a (string, Exception) constructor takes the message and the inner
        // exception, and a (string) constructor the message. Without the former, the type is kept
        // and the inner exception dropped.
        if (type.GetConstructor([typeof(string), typeof(Exception)]) is { } withInner)
            return (Exception)withInner.Invoke([Message, first]);
        if (type.GetConstructor([typeof(string)]) is { } plain)
            return (Exception)plain.Invoke([Message]);
        return null;
    }

    /// <summary>The types <see cref="Create"/> rebuilds with the parts their messages are made of.</summary>
    private static bool Rebuilt(Exception error)
    {
        var type = error.GetType();
        return type == typeof(ArgumentException) || type == typeof(ArgumentNullException)
            || type == typeof(ArgumentOutOfRangeException) || type == typeof(AggregateException);
    }

    /// <summary>
    /// The message without the text these types append to it (the parameter name, the actual
    /// value, the inner exceptions' messages), found by asking the same type what it appends to
    /// an empty message: the rebuilt exception appends it again.
    /// </summary>
    private static string WithoutAddedText(Exception error, string message)
    {
        var added = error switch
        {
            ArgumentOutOfRangeException argument => new ArgumentOutOfRangeException(argument.ParamName, argument.ActualValue, "").Message,
            ArgumentException argument => new ArgumentException("", argument.ParamName).Message,
            AggregateException aggregate => new AggregateException("", aggregate.InnerExceptions).Message,
            _ => "",
        };
        return added.Length > 0 && message.EndsWith(added, StringComparison.Ordinal) ? message[..^added.Length] : message;
    }

    private static string? Truncate(string? text, int max = MaxTextChars) =>
        text is null || text.Length <= max ? text : $"{text[..max]}… [cut: {text.Length} characters in all]";

    private static long Utf8(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);
}

/// <summary>A failed item in wire form: its index in the chunk, and its exception's wire form (items failed by one exception share one).</summary>
internal sealed record WireFailure(int Index, WireError Error)
{
    /// <summary>
    /// The wire form of a chunk's failures, within <paramref name="budget"/> bytes: in full if
    /// they fit, otherwise each in its compact form, otherwise one error for every item that says
    /// why and what the first was. An exception shared by several items is encoded once.
    /// </summary>
    public static WireFailure[] Encode(ItemFailure[] failures, long budget)
    {
        var errors = new Dictionary<Exception, WireError>(ReferenceEqualityComparer.Instance);
        var encoded = failures.Select(failure => new WireFailure(failure.Index,
            errors.TryGetValue(failure.Error, out var known) ? known : errors[failure.Error] = WireError.From(failure.Error))).ToArray();
        var bytes = Bytes(errors.Values, encoded.Length);
        if (bytes <= budget)
            return encoded;
        var compact = errors.Values.ToDictionary<WireError, WireError, WireError>(error => error, error => error.Compact(), ReferenceEqualityComparer.Instance);
        if (Bytes(compact.Values, encoded.Length) <= budget)
            return encoded.Select(failure => failure with { Error = compact[failure.Error] }).ToArray();
        var first = compact[encoded[0].Error];
        var summary = new WireError(typeof(System.Runtime.Serialization.SerializationException).FullName!,
            $"The failures of this chunk take {bytes} bytes, more than a chunk may send back; the first was {first.Type}: {first.Message}",
            null, null, null, []);
        return encoded.Select(failure => failure with { Error = summary }).ToArray();
    }

    private static long Bytes(IEnumerable<WireError> distinct, int items) => distinct.Sum(error => error.Bytes) + 8L * items;
}
