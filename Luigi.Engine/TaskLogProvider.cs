using Luigi.Engine.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine;

/// <summary>
/// Keeps the lines that a task's own code writes to an <see cref="ILogger{TCategoryName}"/> (from dependency injection)
/// with the attempt that wrote them, as if written to <see cref="TaskContext.Logger"/>: the attempt being run in the
/// current async flow is held in an <see cref="AsyncLocal{T}"/> by the engine. Lines of framework categories
/// (<c>Microsoft.*</c>, <c>System.*</c>: an HttpClient's or EF Core's own logging) stay in the host's log only; the
/// engine's own lines are written outside any attempt's flow. Add it with <see cref="TaskLogLoggingBuilderExtensions.AddLuigiTaskLogs"/>.
/// </summary>
public sealed class TaskLogProvider : ILoggerProvider
{
    internal static readonly AsyncLocal<AttemptLogger?> Current = new();

    /// <summary>Framework libraries, and the lines <see cref="TaskContext.Logger"/> passes on (already kept).</summary>
    private static readonly string[] HostOnly = ["Microsoft.", "System.", "Luigi.Tasks."];

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) =>
        HostOnly.Any(prefix => categoryName.StartsWith(prefix, StringComparison.Ordinal)) ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : new Router();

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Router : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && Current.Value is not null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel != LogLevel.None && Current.Value is { } attempt)
            {
                attempt.Keep(logLevel, formatter(state, exception), exception);
            }
        }
    }
}

/// <summary>Adds <see cref="TaskLogProvider"/> to a host's logging.</summary>
public static class TaskLogLoggingBuilderExtensions
{
    /// <summary>Keeps the lines of tasks' own <see cref="ILogger{TCategoryName}"/> with their attempts (once, however often called).</summary>
    public static ILoggingBuilder AddLuigiTaskLogs(this ILoggingBuilder logging)
    {
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, TaskLogProvider>());
        return logging;
    }
}
