using System.ComponentModel;
using System.Globalization;
using Luigi.Engine;

namespace Acme.Batch.Pipelines;

/// <summary>
/// Every night at 02:00 (UTC), the report of the day before: extract that day's orders, then total them. A day whose
/// report exists is complete and skipped; delete the report and the next run makes it again from the extracted orders.
/// Trigger it by hand from the dashboard's Pipelines page, or with <c>luigi trigger NightlySales --param date=2026-12-01</c>.
/// </summary>
[Schedule("nightly-sales", "0 2 * * *", FireTimeParameter = "date", FireTimeOffset = "-1d")]
[Description("Extract a day's orders and write its sales report.")]
public sealed class NightlySales : Pipeline
{
    [Parameter(Description = "The day to report (default: yesterday, UTC).")]
    public DateOnly? Date { get; init; }

    public override IEnumerable<LuigiTask> Roots() =>
        [new SalesReport { Date = Date ?? DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1) }];
}

/// <summary>One day's orders as CSV. Replace the body with your source: a database, an API, a file drop.</summary>
public sealed class ExtractOrders : LuigiTask
{
    [Parameter(Description = "The day of the orders.")]
    public required DateOnly Date { get; init; }

    public override IEnumerable<Target> Output() => [new LocalFileTarget($"orders/{Date:yyyy-MM-dd}.csv")];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var random = new Random(Date.DayNumber); // the same orders for the same day, so a re-run gives the same report
        var orders = Enumerable.Range(1, 100).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i},{random.Next(1, 50_000) / 100m}"));
        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync(["order,amount", .. orders], cancellationToken); // atomic
        context.Log($"extracted 100 orders of {Date:yyyy-MM-dd}");
    }
}

/// <summary>The day's order count and total; retried after a failure, 30 s later, then 60 s.</summary>
public sealed class SalesReport : LuigiTask
{
    [Parameter(Description = "The day of the report.")]
    public required DateOnly Date { get; init; }

    public override IEnumerable<LuigiTask> Requires() => [new ExtractOrders { Date = Date }];

    public override IEnumerable<Target> Output() => [new LocalFileTarget($"reports/sales-{Date:yyyy-MM-dd}.txt")];

    public override RetryPolicy Retry => RetryPolicy.Exponential(2, TimeSpan.FromSeconds(30));

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var orders = (LocalFileTarget)Input().Single();
        var amounts = (await File.ReadAllLinesAsync(orders.Path, cancellationToken))
            .Skip(1)
            .Select(line => decimal.Parse(line.Split(',')[1], CultureInfo.InvariantCulture))
            .ToList();
        var report = string.Create(CultureInfo.InvariantCulture, $"{Date:yyyy-MM-dd}: {amounts.Count} orders, total {amounts.Sum():0.00}");
        await ((LocalFileTarget)Output().Single()).WriteAllTextAsync(report + Environment.NewLine, cancellationToken);
        context.Log(report);
    }
}
