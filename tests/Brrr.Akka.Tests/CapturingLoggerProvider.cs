using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Brrr.Akka.Tests;

/// <summary>One log entry as a host's provider saw it: the state's named fields, not only the rendered text.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, IReadOnlyDictionary<string, object?> Fields, Exception? Exception, string Text);

/// <summary>An <see cref="ILoggerProvider"/> that keeps every entry of every category, for specs to search. Thread safe.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    /// <summary>The entries so far, in the order they were logged.</summary>
    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, _entries);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Capturing(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = (state as IEnumerable<KeyValuePair<string, object?>> ?? []).ToDictionary(StringComparer.Ordinal);
            entries.Enqueue(new CapturedLog(category, logLevel, eventId, fields, exception, formatter(state, exception)));
        }
    }
}
