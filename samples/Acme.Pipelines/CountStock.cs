using Acme.Inventory;
using Luigi.Engine;

namespace Acme.Pipelines;

/// <summary>Exports the end-of-day stock of one warehouse to <c>{DataDir}/stock/{Warehouse}/{Date}.csv</c>.</summary>
public sealed class CountStock : LuigiTask
{
    [Parameter(Description = "The warehouse counted.")]
    public required string Warehouse { get; init; }

    [Parameter(Description = "The day of the count.")]
    public required DateOnly Date { get; init; }

    [Parameter(Significant = false, Description = "Folder that holds the inputs and outputs.")]
    public string DataDir { get; init; } = InventorySnapshot.DefaultDataDir;

    /// <inheritdoc />
    public override IEnumerable<Target> Output() =>
        [new LocalFileTarget(Path.Combine(DataDir, "stock", Warehouse, $"{Date:yyyy-MM-dd}.csv"))];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var stock = WarehouseSystem.CountStock(Warehouse, Date);
        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync([StockLine.CsvHeader, .. stock.Select(s => s.ToCsv())], cancellationToken);
        context.Log($"{Warehouse}: {stock.Sum(s => s.Quantity)} units of {stock.Count} products on {Date:yyyy-MM-dd}.");
    }
}
