using Luigi.Engine;

namespace Luigi.Web.Bench;

/// <summary>A no-op task of a synthetic graph: all the cost measured is the engine's own.</summary>
public sealed class BenchTask : LuigiTask
{
    [Parameter]
    public int Index { get; init; }

    public required BenchGraph Graph { get; init; }

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Requires()
    {
        foreach (var index in Graph.Requirements[Index])
        {
            yield return new BenchTask { Index = index, Graph = Graph };
        }
    }

    /// <inheritdoc />
    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
