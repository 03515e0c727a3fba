namespace Acme.Inventory;

/// <summary>
/// Stands in for the warehouse management system: the stock a warehouse holds at the end of a day.
/// The same warehouse and day always give the same counts.
/// </summary>
public static class WarehouseSystem
{
    /// <summary>The products every warehouse stocks.</summary>
    public static IReadOnlyList<string> Skus { get; } = ["bolt-m6", "nut-m6", "washer-m6", "hinge-40", "bracket-l"];

    /// <summary>The stock of <paramref name="warehouse"/> at the end of <paramref name="day"/>, one line per SKU.</summary>
    public static IReadOnlyList<StockLine> CountStock(string warehouse, DateOnly day)
    {
        var seed = day.DayNumber;
        foreach (var c in warehouse)
        {
            seed = unchecked(seed * 31 + c);
        }

        var random = new Random(seed);
        return Skus.Select(sku => new StockLine(sku, random.Next(0, 200))).ToArray();
    }
}
