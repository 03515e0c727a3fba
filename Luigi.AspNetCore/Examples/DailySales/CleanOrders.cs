using System.Globalization;
using Luigi.Engine;

namespace Luigi.Web.Examples.DailySales;

/// <summary>Drops malformed orders of one day (missing or negative quantity, unknown product, bad price).</summary>
public sealed class CleanOrders : SalesTask
{
    [Parameter(Description = "The day of the orders.")]
    public required DateOnly Date { get; init; }

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Requires() => [new GenerateOrders { Date = Date, DataDir = DataDir }];

    /// <inheritdoc />
    public override IEnumerable<Target> Output() => [SalesFile("clean", $"orders-{Date:yyyy-MM-dd}.csv")];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var input = (LocalFileTarget)Input().Single();
        var kept = new List<string>();
        var dropped = 0;
        var header = true;
        await foreach (var line in input.ReadLinesAsync(cancellationToken))
        {
            if (header)
            {
                kept.Add(line);
                header = false;
            }
            else if (IsValid(line))
            {
                kept.Add(line);
            }
            else
            {
                dropped++;
            }
        }

        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync(kept, cancellationToken);
        context.Log($"{Date:yyyy-MM-dd}: kept {kept.Count - 1} orders, dropped {dropped} malformed.");
    }

    internal static bool IsValid(string line)
    {
        var fields = line.Split(',');
        return fields.Length == 5
            && Array.IndexOf(GenerateOrders.Products, fields[2]) >= 0
            && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var quantity) && quantity > 0
            && decimal.TryParse(fields[4], NumberStyles.Number, CultureInfo.InvariantCulture, out var price) && price >= 0;
    }
}
