using Luigi.Engine.Execution;

namespace Luigi.Engine.Schedules;

/// <summary>A schedule as the API and the dashboard show it.</summary>
/// <param name="Name">Its unique name.</param>
/// <param name="Pipeline">The pipeline it runs.</param>
/// <param name="Cron">Its cron expression.</param>
/// <param name="TimeZone">The IANA time zone the expression is read in.</param>
/// <param name="Parameters">Parameter values of every run.</param>
/// <param name="FireTimeParameter">The parameter set from the fire time, or null.</param>
/// <param name="FireTimeOffset">The offset added to the fire time first (<c>-1d</c>).</param>
/// <param name="CatchUp">What is done with missed fire times.</param>
/// <param name="CatchUpLimit">With <see cref="CatchUpPolicy.All"/>, how many at most.</param>
/// <param name="SkipWhileActive">Whether a fire time is skipped while a run of the schedule is active.</param>
/// <param name="Paused">Paused: no fire time makes a run.</param>
/// <param name="DeclaredInCode">Declared next to the pipeline's code.</param>
/// <param name="NextFireAt">The next fire time (UTC), or null when paused or when the expression never fires again.</param>
/// <param name="LastRun">The latest run the schedule made, or null.</param>
/// <param name="LastResult">What the latest tick came to (a run's outcome, "nothing to do", a skip, a miss).</param>
/// <param name="LastError">Why the latest tick made no run, when it was refused.</param>
/// <param name="LastTickAt">When a host last ticked it.</param>
/// <param name="UpdatedAt">When its definition or pause last changed.</param>
/// <param name="UpdatedBy">Who changed it last.</param>
public sealed record ScheduleView(
    string Name, string Pipeline, string Cron, string TimeZone, IReadOnlyDictionary<string, string> Parameters,
    string? FireTimeParameter, string? FireTimeOffset, CatchUpPolicy CatchUp, int CatchUpLimit, bool SkipWhileActive, bool Paused,
    bool DeclaredInCode, DateTimeOffset? NextFireAt, ScheduleRunView? LastRun, ScheduleOutcome LastResult, string? LastError,
    DateTimeOffset? LastTickAt, DateTimeOffset UpdatedAt, string? UpdatedBy)
{
    /// <summary>The definition this view shows, to edit it.</summary>
    public ScheduleDefinition ToDefinition() => new()
    {
        Name = Name, Pipeline = Pipeline, Cron = Cron, TimeZone = TimeZone, Parameters = Parameters, FireTimeParameter = FireTimeParameter,
        FireTimeOffset = FireTimeOffset, CatchUp = CatchUp, CatchUpLimit = CatchUpLimit, SkipWhileActive = SkipWhileActive, Paused = Paused,
    };
}

/// <summary>A schedule with its next fire times.</summary>
public sealed record ScheduleDetail(ScheduleView Schedule, IReadOnlyList<DateTimeOffset> NextFireTimes);

/// <summary>A run a schedule made.</summary>
public sealed record ScheduleRunView(Guid Id, RunState State, DateTimeOffset? FireAt, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>What a schedule's latest tick came to.</summary>
public enum ScheduleOutcome
{
    /// <summary>No fire time has come yet.</summary>
    NotYetFired,

    /// <summary>Its run is queued or running.</summary>
    Running,

    /// <summary>Its run succeeded and ran something.</summary>
    Succeeded,

    /// <summary>Its run found everything complete: it succeeded at once, every task <c>Complete</c>.</summary>
    NothingToDo,

    /// <summary>Its run failed.</summary>
    Failed,

    /// <summary>Its run was cancelled.</summary>
    Cancelled,

    /// <summary>The fire time was skipped: the previous run was still active.</summary>
    SkippedWhileActive,

    /// <summary>Fire times were missed while no host was up, and the catch-up policy dropped them.</summary>
    Missed,

    /// <summary>No run could be made (see the last error).</summary>
    Refused,
}

/// <summary>The words for a <see cref="ScheduleOutcome"/>.</summary>
public static class ScheduleOutcomeText
{
    /// <summary>"nothing to do", "skipped: previous run still active", ...</summary>
    public static string Describe(this ScheduleOutcome outcome) => outcome switch
    {
        ScheduleOutcome.NotYetFired => "not fired yet",
        ScheduleOutcome.Running => "running",
        ScheduleOutcome.Succeeded => "succeeded",
        ScheduleOutcome.NothingToDo => "nothing to do",
        ScheduleOutcome.Failed => "failed",
        ScheduleOutcome.Cancelled => "cancelled",
        ScheduleOutcome.SkippedWhileActive => "skipped: previous run still active",
        ScheduleOutcome.Missed => "missed while no host was up",
        _ => "refused",
    };
}
