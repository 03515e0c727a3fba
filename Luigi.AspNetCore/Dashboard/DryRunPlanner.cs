using Luigi.Engine;
using Luigi.Engine.Graph;
using Luigi.Engine.Pipelines;

namespace Luigi.Web.Dashboard;

/// <summary>A family's share of a plan.</summary>
/// <param name="Family">The family (class name).</param>
/// <param name="WouldRun">Its tasks that would run: their outputs are missing (or a re-run forces them).</param>
/// <param name="Complete">Its tasks already complete, which would be skipped.</param>
/// <param name="Failed">Its tasks that cannot run: their <c>Requires()</c>, <c>Output()</c> or completeness check threw, or an external input is missing.</param>
public sealed record PlanFamily(string Family, int WouldRun, int Complete, int Failed);

/// <summary>A task of a plan that would run or cannot.</summary>
/// <param name="TaskId">Its id.</param>
/// <param name="Family">Its family.</param>
/// <param name="WouldRun">True: it would run; false: it cannot (see <paramref name="Error"/>).</param>
/// <param name="Error">Why it cannot run, first line.</param>
public sealed record PlannedTask(string TaskId, string Family, bool WouldRun, string? Error);

/// <summary>
/// What a run would do, resolved and checked without running anything: the tasks reached from the pipeline's roots,
/// how many would run, are already complete or cannot run, by family. As in a real run (and in Luigi), the
/// requirements of a complete task are not looked at: they are neither counted nor checked.
/// </summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Tasks">Tasks reached.</param>
/// <param name="WouldRun">Of which would run.</param>
/// <param name="Complete">Of which are complete already.</param>
/// <param name="Failed">Of which cannot run.</param>
/// <param name="Families">The same by family, most to run first.</param>
/// <param name="Listed">The tasks that would run or cannot, up to the number asked for, those that cannot first.</param>
public sealed record DryRunPlan(
    string Pipeline, int Tasks, int WouldRun, int Complete, int Failed, IReadOnlyList<PlanFamily> Families, IReadOnlyList<PlannedTask> Listed);

/// <summary>
/// Resolves a pipeline's graph with the completeness checks a run would make (GraphBuilder, the engine's own
/// resolution), and runs nothing: for the CLI's <c>run --dry-run</c>, the trigger form and the re-run dialogs.
/// </summary>
public sealed class DryRunPlanner(PipelineRegistry registry)
{
    /// <summary>How many completeness checks run at once (the engine's default).</summary>
    public int CompletenessCheckConcurrency { get; init; } = new LuigiEngineOptions().CompletenessCheckConcurrency;

    /// <summary>
    /// The plan of <paramref name="pipeline"/> with <paramref name="parameters"/> (defaults for the rest); with
    /// <paramref name="overrides"/>, of a re-run (tasks forced, or taken as complete).
    /// </summary>
    /// <exception cref="UnknownPipelineException">No pipeline has that name.</exception>
    /// <exception cref="Luigi.Engine.Parameters.ParameterException">A parameter is unknown, malformed or missing.</exception>
    /// <exception cref="DependencyCycleException">The requirements form a cycle.</exception>
    public async Task<DryRunPlan> PlanAsync(
        string pipeline, IEnumerable<KeyValuePair<string, string>> parameters, ResolutionOverrides? overrides = null, int listed = 200,
        CancellationToken cancellationToken = default)
    {
        var roots = registry.Create(pipeline, parameters).Roots().ToList();
        var graph = await GraphBuilder.BuildAsync(roots, CompletenessCheckConcurrency, cancellationToken, overrides);
        var nodes = graph.Nodes;
        var families = nodes.GroupBy(n => n.Family, StringComparer.Ordinal)
            .Select(g => new PlanFamily(g.Key, g.Count(n => n.State == TaskState.Pending), g.Count(n => n.State == TaskState.Complete),
                g.Count(n => n.State == TaskState.Failed)))
            .OrderByDescending(f => f.WouldRun).ThenByDescending(f => f.Failed).ThenBy(f => f.Family, StringComparer.Ordinal).ToList();
        var shown = nodes.Where(n => n.State == TaskState.Failed).Select(n => new PlannedTask(n.TaskId, n.Family, false, n.ErrorSummary))
            .Concat(nodes.Where(n => n.State == TaskState.Pending).Select(n => new PlannedTask(n.TaskId, n.Family, true, null)))
            .Take(Math.Max(0, listed)).ToList();
        return new DryRunPlan(pipeline, nodes.Count, families.Sum(f => f.WouldRun), families.Sum(f => f.Complete), families.Sum(f => f.Failed), families, shown);
    }
}
