using Luigi.Engine;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// Three layers of <see cref="Width"/> no-op tasks, one family per layer (Layer0, Layer1, Layer2), each task
/// requiring 3 tasks of the layer before: a graph dense enough for the dashboard to open it collapsed by family.
/// </summary>
public sealed class DenseGraphPipeline : Pipeline
{
    [Parameter] public int Width { get; init; } = 100;

    public override IEnumerable<LuigiTask> Roots() =>
        Enumerable.Range(0, Width).Select(i => new DenseLayerTask { Layer = 2, Position = i, Width = Width });
}

public sealed class DenseLayerTask : LuigiTask
{
    [Parameter] public int Layer { get; init; }

    [Parameter] public int Position { get; init; }

    public required int Width { get; init; }

    public override string Family => $"Layer{Layer}";

    public override IEnumerable<LuigiTask> Requires() => Layer == 0
        ? []
        : new[] { 0, Position, Width - 1 }.Distinct().Select(p => new DenseLayerTask { Layer = Layer - 1, Position = p, Width = Width });

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
