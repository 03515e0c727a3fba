using Microsoft.Extensions.Logging;

namespace Luigi.Web.Cli;

/// <summary>
/// Writes log lines synchronously to a <see cref="TextWriter"/>, so that on the command line task logs,
/// progress and the summary come out in the order they happened.
/// </summary>
internal sealed class TextWriterLoggerProvider(TextWriter writer, TimeProvider time, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(writer, time, minimum);

    public void Dispose()
    {
    }

    private sealed class Logger(TextWriter writer, TimeProvider time, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Warning => " warning:",
                LogLevel.Error or LogLevel.Critical => " error:",
                _ => "",
            };
            writer.WriteLine($"{time.GetLocalNow():HH:mm:ss.fff}{level}   {formatter(state, exception)}");
        }
    }
}
