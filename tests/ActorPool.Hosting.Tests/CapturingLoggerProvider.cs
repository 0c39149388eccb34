using Microsoft.Extensions.Logging;

namespace ActorPool.Hosting.Tests;

/// <summary>One log entry as a provider received it.</summary>
public sealed record Captured(string Category, LogLevel Level, string Message, Exception? Exception);

/// <summary>An <see cref="ILoggerProvider"/> that keeps every entry and lets a test wait for one that matches.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly object _gate = new();
    private readonly List<Captured> _entries = new();
    private readonly List<(Func<Captured, bool> Match, TaskCompletionSource<Captured> Found)> _waiters = new();

    /// <summary>Waits for an entry that matches, one logged already or to come; fails after <paramref name="limit"/>, with what was logged.</summary>
    public async Task<Captured> WaitForAsync(Func<Captured, bool> match, TimeSpan? limit = null)
    {
        var found = new TaskCompletionSource<Captured>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_entries.FirstOrDefault(match) is { } entry)
                return entry;
            _waiters.Add((match, found));
        }
        try
        {
            return await found.Task.WaitAsync(limit ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            lock (_gate)
                throw new TimeoutException("No such log entry. Logged: " + string.Join(Environment.NewLine, _entries));
        }
    }

    private void Add(Captured entry)
    {
        List<TaskCompletionSource<Captured>> found;
        lock (_gate)
        {
            _entries.Add(entry);
            found = _waiters.Where(waiter => waiter.Match(entry)).Select(waiter => waiter.Found).ToList();
            _waiters.RemoveAll(waiter => found.Contains(waiter.Found));
        }
        foreach (var one in found)
            one.TrySetResult(entry);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Add(new Captured(category, logLevel, formatter(state, exception), exception));
    }
}
