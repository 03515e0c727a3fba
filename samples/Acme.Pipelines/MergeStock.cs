using Acme.Inventory;
using Luigi.Engine;

namespace Acme.Pipelines;

/// <summary>Adds up the stock counts of several warehouses into <c>{DataDir}/snapshots/inventory-{Date}.csv</c>.</summary>
public sealed class MergeStock : LuigiTask
{
    [Parameter(Description = "The day of the counts.")]
    public required DateOnly Date { get; init; }

    [Parameter(Description = "The warehouses merged.")]
    public required IReadOnlyList<string> Warehouses { get; init; }

    [Parameter(Significant = false, Description = "Folder that holds the inputs and outputs.")]
    public string DataDir { get; init; } = InventorySnapshot.DefaultDataDir;

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Requires() =>
        Warehouses.Select(warehouse => new CountStock { Warehouse = warehouse, Date = Date, DataDir = DataDir });

    /// <inheritdoc />
    public override IEnumerable<Target> Output() =>
        [new LocalFileTarget(Path.Combine(DataDir, "snapshots", $"inventory-{Date:yyyy-MM-dd}.csv"))];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var totals = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var count in Input().Cast<LocalFileTarget>())
        {
            await foreach (var line in count.ReadLinesAsync(cancellationToken))
            {
                if (line != StockLine.CsvHeader)
                {
                    var stock = StockLine.ParseCsv(line);
                    totals[stock.Sku] = totals.GetValueOrDefault(stock.Sku) + stock.Quantity;
                }
            }
        }

        var lines = totals.Select(t => new StockLine(t.Key, t.Value).ToCsv()).Prepend(StockLine.CsvHeader);
        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync(lines, cancellationToken);
        context.Log($"Snapshot of {Date:yyyy-MM-dd}: {totals.Values.Sum()} units over {Warehouses.Count} warehouses.");
    }
}
