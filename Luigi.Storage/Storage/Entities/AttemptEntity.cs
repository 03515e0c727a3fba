namespace Luigi.Engine.Storage.Entities;

/// <summary>One try of one task in one run.</summary>
public sealed class AttemptEntity
{
    public Guid RunId { get; set; }

    public int TaskIndex { get; set; }

    /// <summary>1-based.</summary>
    public int Number { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>Running, Done, Failed or Cancelled; Pending for an attempt suspended for tasks it required at run time.</summary>
    public TaskState Outcome { get; set; }

    public string? HostId { get; set; }

    public int Worker { get; set; }

    /// <summary>The exception with its stack trace.</summary>
    public string? Error { get; set; }

    /// <summary>Log lines dropped past the cap.</summary>
    public int TruncatedLogLines { get; set; }
}
