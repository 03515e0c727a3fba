using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Luigi.Engine;

namespace Luigi.Web.Examples.DailySales;

/// <summary>
/// A realistic pipeline over real files: export each day's orders, clean each day, aggregate a report.
/// Run it twice and the second run skips everything; delete one cleaned file and exactly that day's
/// cleaning and the report run again. Its schedule runs it every morning for the day before; a morning whose report
/// exists already ends at once with nothing to do.
/// </summary>
[Schedule("daily-sales", "0 6 * * *", TimeZone = "UTC", FireTimeParameter = "end", FireTimeOffset = "-1d")]
[Description("Export daily order CSVs, clean each day, and aggregate a per-product sales report.")]
public sealed class DailySales : Pipeline
{
    [Parameter(Description = "Last day of the report (default: yesterday, UTC).")]
    [Range(typeof(DateOnly), "2000-01-01", "2099-12-31")]
    public DateOnly? End { get; init; }

    [Parameter(Description = "Number of days covered.")]
    [Range(1, 366)]
    public int Days { get; init; } = 7;

    [Parameter(Description = "Folder under the data root that holds the inputs and outputs.")]
    [StringLength(200)]
    public DataPath DataDir { get; init; } = SalesTask.DefaultDataDir;

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Roots()
    {
        var end = End ?? DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        return [new SalesReport { End = end, Days = Days, DataDir = DataDir }];
    }
}
