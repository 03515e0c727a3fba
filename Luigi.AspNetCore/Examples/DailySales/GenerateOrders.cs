using System.Globalization;
using Luigi.Engine;

namespace Luigi.Web.Examples.DailySales;

/// <summary>
/// Stands in for the export of a shop's orders for one day: a CSV of a few hundred orders, with the
/// kinds of bad rows real exports have. The same date always gives the same file.
/// </summary>
public sealed class GenerateOrders : SalesTask
{
    internal static readonly string[] Products = ["apple", "banana", "cherry", "durian", "elderberry"];
    internal static readonly decimal[] Prices = [0.40m, 0.25m, 3.10m, 7.50m, 4.20m];

    [Parameter(Description = "The day of the orders.")]
    public required DateOnly Date { get; init; }

    /// <inheritdoc />
    public override IEnumerable<Target> Output() => [SalesFile("raw", $"orders-{Date:yyyy-MM-dd}.csv")];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var random = new Random(Date.DayNumber);
        var count = random.Next(200, 800);
        var lines = new List<string>(count + 1) { "order_id,timestamp,product,quantity,unit_price" };
        for (var i = 1; i <= count; i++)
        {
            var product = random.Next(Products.Length);
            var at = Date.ToDateTime(TimeOnly.MinValue).AddSeconds(random.Next(86_400));
            var quantity = random.Next(1, 12).ToString(CultureInfo.InvariantCulture);
            var price = Prices[product].ToString(CultureInfo.InvariantCulture);
            var name = Products[product];
            switch (random.Next(40))
            {
                case 0: quantity = ""; break;
                case 1: quantity = "-3"; break;
                case 2: name = "unknown-item"; break;
                case 3: price = "n/a"; break;
            }

            lines.Add($"{Date:yyyyMMdd}-{i:D4},{at:yyyy-MM-ddTHH:mm:ss},{name},{quantity},{price}");
        }

        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync(lines, cancellationToken);
        context.Log($"Exported {count} orders for {Date:yyyy-MM-dd}.");
    }
}
