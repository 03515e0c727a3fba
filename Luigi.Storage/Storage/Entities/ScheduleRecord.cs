using Luigi.Engine.Schedules;

namespace Luigi.Engine.Storage.Entities;

/// <summary>
/// A schedule as the store keeps it: its definition (pipeline, cron, time zone, parameters, binding, catch-up) and where
/// its ticks have got to. <see cref="Version"/> is a concurrency token: the host that moves <see cref="LastFireAt"/> on
/// and queues the runs of those fire times does both in one transaction, and a host that read an older version writes
/// nothing.
/// </summary>
public sealed class ScheduleRecord
{
    /// <summary>Unique name; the key.</summary>
    public required string Name { get; set; }

    public required string Pipeline { get; set; }

    public required string Cron { get; set; }

    /// <summary>IANA time zone the cron expression is read in.</summary>
    public required string TimeZone { get; set; }

    /// <summary>Parameter values as text, bound to the pipeline at every tick.</summary>
    public Dictionary<string, string> Parameters { get; set; } = [];

    /// <summary>A date or date-time parameter set from the fire time, or null.</summary>
    public string? FireTimeParameter { get; set; }

    /// <summary>Offset added to the fire time before it is bound (<c>-1d</c>, <c>-2h</c>, <c>0</c>).</summary>
    public string? FireTimeOffset { get; set; }

    public CatchUpPolicy CatchUp { get; set; }

    /// <summary>With <see cref="CatchUpPolicy.All"/>: at most this many missed fire times are run.</summary>
    public int CatchUpLimit { get; set; }

    /// <summary>A fire time is skipped while a run of this schedule is still active.</summary>
    public bool SkipWhileActive { get; set; }

    public bool Paused { get; set; }

    /// <summary>Declared in code (a <see cref="ScheduleAttribute"/>), rather than made by an Operator.</summary>
    public bool DeclaredInCode { get; set; }

    /// <summary>The code declaration last applied, so that a change in code is applied once and an Operator's edit stays otherwise.</summary>
    public string? CodeDeclaration { get; set; }

    /// <summary>Deleted by an Operator; kept so that a code declaration does not bring it back on the next start.</summary>
    public bool Deleted { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }

    /// <summary>The latest fire time dealt with (run, skipped or missed); fire times after it are due when their time comes.</summary>
    public DateTime? LastFireAt { get; set; }

    /// <summary>The run of the latest fire time that made one.</summary>
    public Guid? LastRunId { get; set; }

    /// <summary>What the latest tick did.</summary>
    public ScheduleTickResult? LastResult { get; set; }

    /// <summary>Why the latest tick could not make a run (the pipeline is gone, a parameter no longer binds), or null.</summary>
    public string? LastError { get; set; }

    /// <summary>When the latest tick happened.</summary>
    public DateTime? LastTickAt { get; set; }

    /// <summary>Concurrency token, raised by every change.</summary>
    public int Version { get; set; }
}
