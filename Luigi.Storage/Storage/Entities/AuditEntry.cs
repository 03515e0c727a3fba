using Luigi.Engine.Execution;

namespace Luigi.Engine.Storage.Entities;

/// <summary>
/// Who did what to a run, a schedule or a backfill, written in the same transaction as the action: a run asked for, a
/// re-run, a cancel, a schedule made, changed, paused, resumed or deleted, a backfill started. The trail the run page
/// shows; entries are never changed or deleted by the engine.
/// </summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }

    /// <summary>The run concerned, for actions on a run.</summary>
    public Guid? RunId { get; set; }

    /// <summary>The schedule concerned, for actions on a schedule (and runs it made).</summary>
    public string? ScheduleName { get; set; }

    /// <summary>The backfill concerned, for a backfill started (and the runs it made).</summary>
    public Guid? BackfillId { get; set; }

    public DateTime At { get; set; }

    /// <summary>The user name, API token owner or OS user that asked; "anonymous" when nobody is known.</summary>
    public required string Actor { get; set; }

    public AuditAction Action { get; set; }

    /// <summary>Where the request came from (the command line, the API, the dashboard).</summary>
    public RunTrigger Via { get; set; }

    /// <summary>What the action concerned, for people reading the trail (a re-run's scope, the parent run).</summary>
    /// <summary>The client's address the action came from (after a trusted proxy's forwarded headers), when known.</summary>
    public string? ClientAddress { get; set; }

    public string? Details { get; set; }
}

/// <summary>What an <see cref="AuditEntry"/> records.</summary>
public enum AuditAction
{
    /// <summary>A run was asked for.</summary>
    Triggered,

    /// <summary>A run was asked for as a re-run of another.</summary>
    Rerun,

    /// <summary>A run was cancelled.</summary>
    Cancelled,

    /// <summary>A schedule was made.</summary>
    ScheduleCreated,

    /// <summary>A schedule's definition was changed.</summary>
    ScheduleUpdated,

    /// <summary>A schedule was paused.</summary>
    SchedulePaused,

    /// <summary>A schedule was resumed.</summary>
    ScheduleResumed,

    /// <summary>A schedule was deleted.</summary>
    ScheduleDeleted,

    /// <summary>A backfill was started.</summary>
    BackfillStarted,
}
