using System.ComponentModel;
using Luigi.Engine;

namespace Acme.Pipelines;

/// <summary>From a day's inventory snapshot, lists the products that run low.</summary>
[Description("List the products whose stock over all warehouses is below a threshold on a day.")]
public sealed class Reorder : Pipeline
{
    /// <summary>The threshold unless told otherwise.</summary>
    public const int DefaultThreshold = 150;

    [Parameter(Description = "The day of the snapshot.")]
    public required DateOnly Date { get; init; }

    [Parameter(Description = "Products with fewer units than this are reordered.")]
    public int Threshold { get; init; } = DefaultThreshold;

    [Parameter(Description = "The warehouses counted.")]
    public IReadOnlyList<string> Warehouses { get; init; } = ["north", "south"];

    [Parameter(Description = "Folder that holds the inputs and outputs.")]
    public string DataDir { get; init; } = InventorySnapshot.DefaultDataDir;

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Roots() =>
        [new ReorderList { Date = Date, Threshold = Threshold, Warehouses = InventorySnapshot.RequireWarehouses(Warehouses), DataDir = DataDir }];
}
