using Akka.Event;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Brrr.Akka;

/// <summary>
/// The runtime's <see cref="ILogger"/> when its ActorSystem has no host's <see cref="ILoggerFactory"/>: each entry is
/// rendered with its formatter and published through Akka's own logging, at the matching level (Trace → Debug,
/// Critical → Error), so a worker started without a host logs where it always did. Scopes are not kept.
/// </summary>
internal sealed class AkkaLogger(ILoggingAdapter log) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && log.IsEnabled(ToAkka(logLevel));

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        // The rendered text is an argument, not the template: Akka would read braces in it (a JSON excerpt) as holes.
        log.Log(ToAkka(logLevel), exception, "{0}", formatter(state, exception));
    }

    private static AkkaLogLevel ToAkka(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => AkkaLogLevel.DebugLevel,
        LogLevel.Information => AkkaLogLevel.InfoLevel,
        LogLevel.Warning => AkkaLogLevel.WarningLevel,
        _ => AkkaLogLevel.ErrorLevel,
    };
}
