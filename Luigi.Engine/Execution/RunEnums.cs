namespace Luigi.Engine.Execution;

/// <summary>Where a run request came from.</summary>
public enum RunTrigger
{
    Cli,
    Api,
    Browser,
    Rerun,
    Schedule,
    Backfill,
}

/// <summary>The state of a run as a whole.</summary>
public enum RunState
{
    /// <summary>Requested; no host has taken it yet.</summary>
    Queued,

    /// <summary>A host is building its graph.</summary>
    Resolving,

    /// <summary>Tasks are being run.</summary>
    Running,

    /// <summary>Cancel was requested; running tasks are being stopped.</summary>
    Cancelling,

    /// <summary>Every requested task is done or was already complete.</summary>
    Succeeded,

    /// <summary>Something failed (a task, or the resolution of the graph).</summary>
    Failed,

    /// <summary>Stopped on request.</summary>
    Cancelled,
}

/// <summary>What a re-run covers.</summary>
public enum RerunScope
{
    /// <summary>The whole pipeline again; complete tasks are skipped as usual.</summary>
    All,

    /// <summary>Only the tasks that failed or were blocked, and what they require.</summary>
    FailedOnly,

    /// <summary>One task and everything downstream of it, run even if complete.</summary>
    TaskAndDownstream,
}
