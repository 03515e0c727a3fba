namespace Luigi.Engine.Schedules;

/// <summary>What a schedule does with fire times missed while no host was ticking (every host down, or the store away).</summary>
public enum CatchUpPolicy
{
    /// <summary>Missed fire times are dropped; the schedule waits for its next fire time.</summary>
    Skip,

    /// <summary>Only the latest missed fire time is run (the default): today's report, not a week of them.</summary>
    LatestOnly,

    /// <summary>Every missed fire time is run, oldest first, up to the schedule's catch-up limit (the latest ones).</summary>
    All,
}

/// <summary>What a schedule's latest tick did.</summary>
public enum ScheduleTickResult
{
    /// <summary>A run was queued for the fire time (its outcome, including "nothing to do", is the run's).</summary>
    Queued,

    /// <summary>The fire time was skipped because a run of the schedule was still active.</summary>
    SkippedWhileActive,

    /// <summary>The fire time was missed while no host ticked and the catch-up policy dropped it.</summary>
    Missed,

    /// <summary>No run could be made: the pipeline is gone or a parameter no longer binds (see the schedule's last error).</summary>
    Refused,
}
