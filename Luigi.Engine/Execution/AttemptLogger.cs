using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Execution;

/// <summary>
/// The logger a task gets: keeps each line with its attempt (up to a cap, counting what is dropped) and
/// passes it on to the host's logging, tagged with the task id and attempt.
/// </summary>
internal sealed class AttemptLogger(string taskId, AttemptRecord attempt, ILogger forward, TimeProvider time, int cap, int maxLineLength) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => forward.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel == LogLevel.None)
        {
            return;
        }

        var text = formatter(state, exception);
        Keep(logLevel, text, exception);
        if (forward.IsEnabled(logLevel))
        {
            forward.Log(logLevel, eventId, exception, "{TaskId} (attempt {Attempt}): {Message}", taskId, attempt.Number, text);
        }
    }

    /// <summary>Keeps one line with the attempt (not passed on: a line routed here by <see cref="TaskLogProvider"/> already
    /// goes to the host's other loggers).</summary>
    public void Keep(LogLevel logLevel, string text, Exception? exception)
    {
        var message = exception is null ? text : $"{text}{Environment.NewLine}{exception}";
        if (message.Length > maxLineLength)
        {
            message = string.Concat(message.AsSpan(0, maxLineLength), $"… [line truncated, {message.Length - maxLineLength} more characters]");
        }

        attempt.Append(new LogLine(time.GetUtcNow(), logLevel, message), cap);
    }
}
