namespace Luigi.Engine.Storage.Entities;

/// <summary>One task of one run: its identity, state and scheduling data.</summary>
public sealed class RunTaskRecord
{
    public Guid RunId { get; set; }

    /// <summary>Position in the run's graph; edges and attempts refer to it.</summary>
    public int TaskIndex { get; set; }

    public required string TaskId { get; set; }

    public required string Family { get; set; }

    /// <summary>All parameter values, formatted, stored as JSON.</summary>
    public Dictionary<string, string> Parameters { get; set; } = [];

    public bool IsRoot { get; set; }

    public TaskState State { get; set; }

    public int Priority { get; set; }

    public double CriticalPath { get; set; }

    /// <summary>Requirements not yet done or complete; the task is ready at 0.</summary>
    public int RemainingRequirements { get; set; }

    public int AttemptCount { get; set; }

    /// <summary>While <see cref="TaskState.RetryWaiting"/>: not to be started before this time.</summary>
    public DateTime? NotBefore { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>The host running it (or that ran its last attempt).</summary>
    public string? HostId { get; set; }

    public int? Worker { get; set; }

    /// <summary>While running: when the host's claim lapses unless renewed.</summary>
    public DateTime? LeaseExpiresAt { get; set; }

    /// <summary>First line of the last error.</summary>
    public string? ErrorSummary { get; set; }

    /// <summary>Full text of the error that failed the task.</summary>
    public string? Error { get; set; }

    /// <summary>For <see cref="TaskState.UpstreamFailed"/>: the failed task that blocked it; for <see cref="TaskState.Waiting"/>:
    /// the id of the run whose attempt of the same task id it waits for.</summary>
    public string? BlockedBy { get; set; }

    /// <summary>A re-run forces it to run even if complete: it is never skipped on a second look.</summary>
    public bool Forced { get; set; }

    /// <summary>Another run may make this task meanwhile (it shares the task id with another run, or waited for one): its
    /// completeness is checked again when it is claimed.</summary>
    public bool Recheck { get; set; }

    /// <summary>What it holds of each resource while it runs, as a JSON object (name to amount); null when nothing.</summary>
    public string? Resources { get; set; }
}
