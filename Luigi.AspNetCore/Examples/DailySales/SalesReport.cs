using System.Globalization;
using Luigi.Engine;

namespace Luigi.Web.Examples.DailySales;

/// <summary>Totals per product over <see cref="Days"/> days ending on <see cref="End"/>.</summary>
public sealed class SalesReport : SalesTask
{
    [Parameter(Description = "Last day of the report.")]
    public required DateOnly End { get; init; }

    [Parameter(Description = "Number of days covered.")]
    public int Days { get; init; } = 7;

    private DateOnly Start => End.AddDays(1 - Days);

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Requires() =>
        Enumerable.Range(0, Days).Select(offset => new CleanOrders { Date = Start.AddDays(offset), DataDir = DataDir });

    /// <inheritdoc />
    public override IEnumerable<Target> Output() => [SalesFile("reports", $"sales-{Start:yyyy-MM-dd}_{End:yyyy-MM-dd}.csv")];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var totals = new SortedDictionary<string, (int Orders, int Quantity, decimal Revenue)>(StringComparer.Ordinal);
        foreach (var day in Input().Cast<LocalFileTarget>())
        {
            await foreach (var line in day.ReadLinesAsync(cancellationToken))
            {
                var fields = line.Split(',');
                if (fields[0] == "order_id")
                {
                    continue;
                }

                var quantity = int.Parse(fields[3], CultureInfo.InvariantCulture);
                var price = decimal.Parse(fields[4], CultureInfo.InvariantCulture);
                var (orders, sold, revenue) = totals.GetValueOrDefault(fields[2]);
                totals[fields[2]] = (orders + 1, sold + quantity, revenue + quantity * price);
            }
        }

        var lines = new List<string> { "product,orders,quantity,revenue" };
        lines.AddRange(totals.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key},{t.Value.Orders},{t.Value.Quantity},{t.Value.Revenue:0.00}")));
        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync(lines, cancellationToken);
        context.Log(string.Create(CultureInfo.InvariantCulture, $"Report {Start:yyyy-MM-dd}..{End:yyyy-MM-dd}: revenue {totals.Values.Sum(t => t.Revenue):0.00} over {Days} days."));
    }
}
