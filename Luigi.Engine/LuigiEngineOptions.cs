namespace Luigi.Engine;

/// <summary>Settings of the engine. Validated when an engine is created.</summary>
public sealed class LuigiEngineOptions
{
    /// <summary>Number of workers: how many tasks may run at once. Default: the number of processors.</summary>
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <summary>How many completeness checks may be in flight at once while the graph is resolved.</summary>
    public int CompletenessCheckConcurrency { get; set; } = 16;

    /// <summary>Retry policy of tasks that do not set <see cref="LuigiTask.Retry"/>. Default: none.</summary>
    public RetryPolicy DefaultRetry { get; set; } = RetryPolicy.None;

    /// <summary>Lines kept per attempt; past it, lines are counted as truncated.</summary>
    public int MaxLogLinesPerAttempt { get; set; } = 10_000;

    /// <summary>Characters kept per log line.</summary>
    public int MaxLogLineLength { get; set; } = 8_192;

    /// <summary>
    /// The total of each resource tasks may declare (<see cref="LuigiTask.Resources"/>), by name (<c>Luigi:Resources:&lt;name&gt;</c>):
    /// the tasks running at once on every host of a store never hold more. Hosts sharing a store must agree on them.
    /// </summary>
    public Dictionary<string, int> Resources { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How many runs of a pipeline may be active at once, by pipeline name (<c>Luigi:RunLimits:&lt;pipeline&gt;</c>); over the
    /// pipeline's own <see cref="MaxActiveRunsAttribute"/>.
    /// </summary>
    public Dictionary<string, int> MaxActiveRuns { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        foreach (var (name, limit) in MaxActiveRuns)
        {
            if (limit < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxActiveRuns), limit, $"The run limit of pipeline '{name}' must be at least 1.");
            }
        }

        foreach (var (name, total) in Resources)
        {
            if (total < 0 || string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentOutOfRangeException(nameof(Resources), total, $"The total of resource '{name}' must be a name with a total of 0 or more.");
            }
        }

        if (Workers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "Workers must be at least 1.");
        }

        if (CompletenessCheckConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CompletenessCheckConcurrency), CompletenessCheckConcurrency, "CompletenessCheckConcurrency must be at least 1.");
        }

        if (MaxLogLinesPerAttempt < 0 || MaxLogLineLength < 80)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLogLinesPerAttempt), "MaxLogLinesPerAttempt must be >= 0 and MaxLogLineLength >= 80.");
        }

        ArgumentNullException.ThrowIfNull(DefaultRetry);
        if (DefaultRetry.RetryCount < 0 || DefaultRetry.Delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultRetry), "DefaultRetry needs a RetryCount >= 0 and a Delay >= 0.");
        }
    }
}
