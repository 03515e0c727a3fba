using System.ComponentModel.DataAnnotations;
using Luigi.Engine;

namespace Luigi.Web.Examples.Seed;

/// <summary>
/// The graphs of the introduction to Luigi, as pipelines. Every task sleeps <see cref="DelayMs"/> so
/// parallelism can be watched, and <see cref="FailTask"/> / <see cref="FailTimes"/> make one task fail
/// its first attempts, to show retries and, past <see cref="Retries"/>, failure and blocking.
/// </summary>
public abstract class SeedPipeline : Pipeline
{
    [Parameter(Description = "How long each task works, in milliseconds.")]
    [Range(0, 600_000)]
    public int DelayMs { get; init; } = 500;

    [Parameter(Description = "Name of a task that fails on purpose, e.g. TaskC (empty: none).")]
    [RegularExpression("(Task[A-Z])?"), StringLength(5)]
    public string FailTask { get; init; } = "";

    [Parameter(Description = "How many attempts of FailTask fail before it succeeds.")]
    [Range(0, 100)]
    public int FailTimes { get; init; } = 1;

    [Parameter(Description = "Retries after a failed attempt.")]
    [Range(0, 20)]
    public int Retries { get; init; } = 2;

    [Parameter(Description = "Wait before each retry, e.g. 1s or 00:00:02.")]
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Each task's requirements, by task name, in the arrow order of the source document.</summary>
    protected abstract IReadOnlyDictionary<string, string[]> Graph { get; }

    /// <summary>The last task(s) of the graph.</summary>
    protected abstract IEnumerable<string> RootNames { get; }

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Roots()
    {
        var settings = new SeedSettings(Graph, DelayMs, FailTask, FailTimes, RetryPolicy.Fixed(Retries, RetryDelay));
        return RootNames.Select(name => new SeedTask { Name = name, Settings = settings });
    }
}

/// <summary>What every task of one seed run shares.</summary>
public sealed record SeedSettings(IReadOnlyDictionary<string, string[]> Graph, int DelayMs, string FailTask, int FailTimes, RetryPolicy Retry);
