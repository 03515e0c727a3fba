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

    /// <summary>For <see cref="TaskState.UpstreamFailed"/>: the failed task that blocked it.</summary>
    public string? BlockedBy { get; set; }
}
