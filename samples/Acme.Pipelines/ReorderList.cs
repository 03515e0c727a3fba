using Acme.Inventory;
using Luigi.Engine;

namespace Acme.Pipelines;

/// <summary>The products whose total stock is below a threshold, in <c>{DataDir}/reorder/reorder-{Date}.csv</c>.</summary>
public sealed class ReorderList : LuigiTask
{
    [Parameter(Description = "The day of the snapshot.")]
    public required DateOnly Date { get; init; }

    [Parameter(Description = "The warehouses counted.")]
    public required IReadOnlyList<string> Warehouses { get; init; }

    [Parameter(Description = "Products with fewer units than this are reordered.")]
    public int Threshold { get; init; } = Reorder.DefaultThreshold;

    [Parameter(Significant = false, Description = "Folder that holds the inputs and outputs.")]
    public string DataDir { get; init; } = InventorySnapshot.DefaultDataDir;

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Requires() => [new MergeStock { Date = Date, Warehouses = Warehouses, DataDir = DataDir }];

    /// <inheritdoc />
    public override IEnumerable<Target> Output() =>
        [new LocalFileTarget(Path.Combine(DataDir, "reorder", $"reorder-{Date:yyyy-MM-dd}-below-{Threshold}.csv"))];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var low = new List<string> { StockLine.CsvHeader };
        await foreach (var line in ((LocalFileTarget)Input().Single()).ReadLinesAsync(cancellationToken))
        {
            if (line != StockLine.CsvHeader && StockLine.ParseCsv(line).Quantity < Threshold)
            {
                low.Add(line);
            }
        }

        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync(low, cancellationToken);
        context.Log($"{low.Count - 1} products below {Threshold} units on {Date:yyyy-MM-dd}.");
    }
}
