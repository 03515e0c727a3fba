namespace Luigi.Engine.Schedules;

/// <summary>A schedule or backfill that cannot be accepted; <see cref="Errors"/> names each bad field.</summary>
public sealed class ScheduleException(IReadOnlyList<ScheduleError> errors)
    : Exception(string.Join(" ", errors.Select(e => e.Message)))
{
    /// <summary>Each bad field with what is wrong with it.</summary>
    public IReadOnlyList<ScheduleError> Errors { get; } = errors;

    /// <summary>One bad field.</summary>
    public ScheduleException(string field, string message)
        : this([new ScheduleError(field, message)])
    {
    }
}

/// <summary>What is wrong with one field (<c>cron</c>, <c>timeZone</c>, <c>pipeline</c>, <c>parameters.date</c>, ...).</summary>
public sealed record ScheduleError(string Field, string Message);
