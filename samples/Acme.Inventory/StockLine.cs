using System.Globalization;

namespace Acme.Inventory;

/// <summary>How many units of one product (by SKU) there are, as one line of a stock CSV.</summary>
public sealed record StockLine(string Sku, int Quantity)
{
    /// <summary>The first line of every stock CSV.</summary>
    public const string CsvHeader = "sku,quantity";

    /// <summary>This line in CSV form.</summary>
    public string ToCsv() => string.Create(CultureInfo.InvariantCulture, $"{Sku},{Quantity}");

    /// <summary>Reads a line written by <see cref="ToCsv"/>.</summary>
    public static StockLine ParseCsv(string line)
    {
        var fields = line.Split(',');
        if (fields.Length != 2 || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var quantity))
        {
            throw new FormatException($"Not a stock line (sku,quantity): '{line}'.");
        }

        return new StockLine(fields[0], quantity);
    }
}
