using System.ComponentModel;
using Luigi.Engine;
using Luigi.Engine.Parameters;

namespace Acme.Pipelines;

/// <summary>Counts the stock of every warehouse for a day and merges the counts into one snapshot.</summary>
[Description("Count each warehouse's stock for a day and merge the counts into one inventory snapshot.")]
public sealed class InventorySnapshot : Pipeline
{
    /// <summary>Where the files go unless told otherwise (relative to the data root, Luigi:Data:Root).</summary>
    public const string DefaultDataDir = "acme";

    [Parameter(Description = "The day of the snapshot.")]
    public required DateOnly Date { get; init; }

    [Parameter(Description = "The warehouses counted.")]
    public IReadOnlyList<string> Warehouses { get; init; } = ["north", "south"];

    [Parameter(Description = "Folder that holds the inputs and outputs.")]
    public string DataDir { get; init; } = DefaultDataDir;

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Roots() =>
        [new MergeStock { Date = Date, Warehouses = RequireWarehouses(Warehouses), DataDir = DataDir }];

    internal static IReadOnlyList<string> RequireWarehouses(IReadOnlyList<string> warehouses) =>
        warehouses.Count > 0 && warehouses.All(w => w.Length > 0)
            ? warehouses
            : throw new ParameterException([new ParameterError("warehouses", "Parameter 'warehouses' needs at least one warehouse name.")]);
}
