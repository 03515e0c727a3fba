namespace Luigi.Engine.Retention;

/// <summary>How long finished runs are kept (<c>Luigi:Retention</c>). Off by default: nothing is deleted unless asked.</summary>
public sealed class RetentionOptions
{
    /// <summary>Finished runs are deleted this many days after they finished, with their tasks, attempts, log lines,
    /// edges, audit entries and e-mail; 0 (default) keeps every run.</summary>
    public int Days { get; set; }

    /// <summary>How often a host looks for runs to delete.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most tasks deleted in one transaction (several small runs together, or a part of a large one), so
    /// that no transaction holds its locks for long.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Whether runs are ever deleted.</summary>
    public bool Enabled => Days > 0;

    /// <summary>Throws when a setting cannot work, naming it.</summary>
    public void Validate()
    {
        if (Days < 0)
        {
            throw new InvalidOperationException($"Luigi:Retention:Days is {Days}: give a number of days, or 0 to keep every run.");
        }

        if (Interval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Luigi:Retention:Interval is {Interval}: it must be positive, e.g. 01:00:00.");
        }

        if (BatchSize < 1)
        {
            throw new InvalidOperationException($"Luigi:Retention:BatchSize is {BatchSize}: it must be 1 or more.");
        }
    }
}
