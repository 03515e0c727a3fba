namespace Luigi.Engine.Storage.Entities;

/// <summary>
/// A backfill: one run of a pipeline per date of a range (Luigi's <c>RangeDaily</c>), the date bound to
/// <see cref="DateParameter"/>, at most <see cref="MaxConcurrentRuns"/> at once. Its dates are <see cref="BackfillDateRecord"/>s.
/// </summary>
public sealed class BackfillRecord
{
    public Guid Id { get; set; }

    public required string Pipeline { get; set; }

    public required string DateParameter { get; set; }

    public DateOnly From { get; set; }

    public DateOnly To { get; set; }

    /// <summary>The other parameters, the same for every date.</summary>
    public Dictionary<string, string> Parameters { get; set; } = [];

    public int MaxConcurrentRuns { get; set; }

    public string? RequestedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Set when every date has been skipped as complete or its run has ended.</summary>
    public DateTime? FinishedAt { get; set; }
}

/// <summary>One date of a backfill: waiting, skipped because its work was complete, or given a run.</summary>
public sealed class BackfillDateRecord
{
    public Guid BackfillId { get; set; }

    public DateOnly Date { get; set; }

    public BackfillDateState State { get; set; }

    /// <summary>Its run, once queued.</summary>
    public Guid? RunId { get; set; }
}

/// <summary>Where a date of a backfill is.</summary>
public enum BackfillDateState
{
    /// <summary>Not yet looked at.</summary>
    Waiting,

    /// <summary>Everything it would run was complete: no run was made.</summary>
    Complete,

    /// <summary>Its run was queued (see the run for how it went).</summary>
    Queued,
}
