using System.Collections;
using Luigi.Engine.Graph;
using Luigi.Engine.Pipelines;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Dashboard;

/// <summary>A task of a pipeline's graph, before any run.</summary>
/// <param name="Index">Its position in <see cref="PipelineGraph.Tasks"/>; edges refer to it.</param>
/// <param name="TaskId">Its id.</param>
/// <param name="Family">Its family (class name).</param>
public sealed record PreviewTask(int Index, string TaskId, string Family);

/// <summary>The whole graph a pipeline would run with given parameters, as if nothing were complete.</summary>
/// <param name="Tasks">Every task, roots first.</param>
/// <param name="Edges">Requirement (<c>from</c>) before dependent (<c>to</c>).</param>
public sealed record PipelineGraph(IReadOnlyList<PreviewTask> Tasks, IReadOnlyList<EdgeView> Edges);

/// <summary>
/// Resolves what a pipeline would run, without running anything and without checking any output: every
/// task is taken as incomplete, so the preview shows the whole graph (a real run skips what is complete).
/// A task whose <c>Requires()</c> throws appears without its requirements.
/// </summary>
public sealed class PipelinePreviewResolver(PipelineRegistry registry)
{
    /// <summary>The graph of <paramref name="pipeline"/> with <paramref name="parameters"/> (defaults for the rest).</summary>
    /// <exception cref="Luigi.Engine.Pipelines.UnknownPipelineException">No pipeline has that name.</exception>
    /// <exception cref="Luigi.Engine.Parameters.ParameterException">A parameter is unknown, malformed or missing.</exception>
    /// <exception cref="DependencyCycleException">The requirements form a cycle.</exception>
    public async Task<PipelineGraph> ResolveAsync(
        string pipeline, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken = default)
    {
        var roots = registry.Create(pipeline, parameters).Roots().ToList();
        var graph = await GraphBuilder.BuildAsync(roots, 1, cancellationToken, new ResolutionOverrides(Everything.Instance, new HashSet<string>()));
        return new PipelineGraph(
            graph.Nodes.Select(n => new PreviewTask(n.Index, n.TaskId, n.Family)).ToList(),
            graph.Edges().Select(e => new EdgeView(e.Requirement.Index, e.Dependent.Index)).ToList());
    }

    /// <summary>The set of every task id: forcing every task means checking none.</summary>
    private sealed class Everything : IReadOnlySet<string>
    {
        public static readonly Everything Instance = new();

        public int Count => int.MaxValue;

        public bool Contains(string item) => true;

        public IEnumerator<string> GetEnumerator() => throw new NotSupportedException("The set of every task id cannot be listed.");

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public bool IsProperSubsetOf(IEnumerable<string> other) => false;

        public bool IsProperSupersetOf(IEnumerable<string> other) => true;

        public bool IsSubsetOf(IEnumerable<string> other) => false;

        public bool IsSupersetOf(IEnumerable<string> other) => true;

        public bool Overlaps(IEnumerable<string> other) => other.Any();

        public bool SetEquals(IEnumerable<string> other) => false;
    }
}
