using Luigi.Engine;

namespace Luigi.Web.Bench;

/// <summary>The synthetic graph as a pipeline, so the bench can run it through a store like any run.
/// Registered only by the bench verb, never shown to users.</summary>
internal sealed class BenchPipeline : Pipeline
{
    [Parameter]
    public BenchShape Shape { get; init; } = BenchShape.Layered;

    [Parameter]
    public int Tasks { get; init; } = 1_000;

    [Parameter]
    public int Width { get; init; } = 100;

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Roots()
    {
        var graph = BenchGraph.Create(Shape, Tasks, Width);
        return graph.Sinks.Select(i => new BenchTask { Index = i, Graph = graph });
    }
}
