using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Execution;

/// <summary>One try of one task in one run: when, where, how it ended, and what it logged.</summary>
public sealed class AttemptRecord
{
    private readonly Lock _lock = new();
    private List<LogLine>? _log;

    internal AttemptRecord(int number, int worker, DateTimeOffset startedAt)
    {
        Number = number;
        Worker = worker;
        StartedAt = startedAt;
    }

    /// <summary>1-based attempt number.</summary>
    public int Number { get; }

    /// <summary>The worker slot (1-based) that ran it.</summary>
    public int Worker { get; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>When it ended; null while running.</summary>
    public DateTimeOffset? FinishedAt { get; internal set; }

    /// <summary>How it ended: <see cref="TaskState.Done"/>, <see cref="TaskState.Failed"/> or
    /// <see cref="TaskState.Cancelled"/>; <see cref="TaskState.Pending"/> when it was suspended for tasks it required at run
    /// time (the next attempt resumes it); <see cref="TaskState.Running"/> while it runs.</summary>
    public TaskState Outcome { get; internal set; } = TaskState.Running;

    /// <summary>The exception with its stack trace, when it failed.</summary>
    public string? Error { get; internal set; }

    /// <summary>Lines the task logged, capped (see <see cref="LuigiEngineOptions.MaxLogLinesPerAttempt"/>).</summary>
    public IReadOnlyList<LogLine> Log
    {
        get
        {
            lock (_lock)
            {
                return _log?.ToArray() ?? [];
            }
        }
    }

    /// <summary>How many lines were dropped past the cap.</summary>
    public int TruncatedLines { get; private set; }

    /// <summary>How long it took, once finished.</summary>
    public TimeSpan? Duration => FinishedAt - StartedAt;

    /// <summary>Closes the attempt with how it ended and what it logged (kept by the run queue in memory).</summary>
    internal void Close(DateTimeOffset finishedAt, TaskState outcome, string? error, IReadOnlyList<LogLine> log, int truncatedLines)
    {
        FinishedAt = finishedAt;
        Outcome = outcome;
        Error = error;
        lock (_lock)
        {
            if (log.Count > 0)
            {
                (_log ??= []).AddRange(log);
            }

            TruncatedLines += truncatedLines;
        }
    }

    internal void Append(LogLine line, int cap)
    {
        lock (_lock)
        {
            _log ??= [];
            if (_log.Count < cap)
            {
                _log.Add(line);
            }
            else
            {
                TruncatedLines++;
            }
        }
    }
}

/// <summary>One line logged by a task.</summary>
public sealed record LogLine(DateTimeOffset At, LogLevel Level, string Message);
