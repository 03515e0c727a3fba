using System.Reflection;
using Luigi.Engine.Pipelines;

namespace Luigi.Engine.Execution;

/// <summary>
/// How many runs of each pipeline may be active at once: its <see cref="MaxActiveRunsAttribute"/>, overridden by the
/// setting <c>Luigi:RunLimits:&lt;pipeline&gt;</c> (<see cref="LuigiEngineOptions.MaxActiveRuns"/>). A pipeline with neither
/// has no limit. Hosts sharing a store must agree on them.
/// </summary>
public sealed class RunLimits
{
    private readonly Dictionary<string, int> _limits;

    /// <summary>No limits at all.</summary>
    public static RunLimits None { get; } = new(new Dictionary<string, int>());

    /// <param name="limits">Pipeline name to limit (names compared without case, as pipelines are found).</param>
    public RunLimits(IReadOnlyDictionary<string, int> limits) => _limits = new Dictionary<string, int>(limits, StringComparer.OrdinalIgnoreCase);

    /// <summary>The limits of <paramref name="pipelines"/>' attributes, with <paramref name="settings"/> over them.</summary>
    public static RunLimits For(PipelineRegistry pipelines, IReadOnlyDictionary<string, int> settings)
    {
        var limits = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var pipeline in pipelines.All)
        {
            if (pipeline.Type.GetCustomAttribute<MaxActiveRunsAttribute>() is { } attribute)
            {
                limits[pipeline.Name] = attribute.Limit;
            }
        }

        foreach (var (name, limit) in settings)
        {
            limits[pipelines.Find(name)?.Name ?? name] = limit;
        }

        return new RunLimits(limits);
    }

    /// <summary>Every limited pipeline with its limit.</summary>
    public IReadOnlyDictionary<string, int> All => _limits;

    /// <summary>The limit of <paramref name="pipeline"/>, or null when it has none.</summary>
    public int? Of(string pipeline) => _limits.TryGetValue(pipeline, out var limit) ? limit : null;
}
