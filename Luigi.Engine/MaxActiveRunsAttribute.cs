namespace Luigi.Engine;

/// <summary>
/// Limits how many runs of a pipeline may be active (resolving, running or cancelling) at once, across every host of a
/// store; runs beyond it stay queued, saying why, until one ends. The setting <c>Luigi:RunLimits:&lt;pipeline&gt;</c>
/// overrides it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class MaxActiveRunsAttribute : Attribute
{
    /// <param name="limit">At least 1.</param>
    public MaxActiveRunsAttribute(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
    }

    /// <summary>How many runs of the pipeline may be active at once.</summary>
    public int Limit { get; }
}
