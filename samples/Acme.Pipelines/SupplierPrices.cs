using System.ComponentModel;
using Luigi.Engine;

namespace Acme.Pipelines;

/// <summary>
/// Downloads a day's supplier price list. Its constructor takes the host's <see cref="IHttpClientFactory"/> (dependency
/// injection), which it hands to the task; the source's address usually comes from configuration
/// (<c>Luigi:Pipelines:SupplierPrices:Parameters:source</c>) rather than from whoever triggers it.
/// </summary>
[Description("Download a day's supplier price list (sku,price) over HTTP.")]
public sealed class SupplierPrices(IHttpClientFactory http) : Pipeline
{
    [Parameter(Description = "The day of the price list.")]
    public required DateOnly Date { get; init; }

    [Parameter(Description = "Address of the supplier's price list (CSV with a sku,price header).")]
    public required string Source { get; init; }

    [Parameter(Description = "Folder that holds the inputs and outputs.")]
    public string DataDir { get; init; } = InventorySnapshot.DefaultDataDir;

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Roots() => [new FetchPrices(http) { Date = Date, Source = Source, DataDir = DataDir }];
}
