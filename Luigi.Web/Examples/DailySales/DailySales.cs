using System.ComponentModel;
using Luigi.Engine;
using Luigi.Engine.Parameters;

namespace Luigi.Web.Examples.DailySales;

/// <summary>
/// A realistic pipeline over real files: export each day's orders, clean each day, aggregate a report.
/// Run it twice and the second run skips everything; delete one cleaned file and exactly that day's
/// cleaning and the report run again.
/// </summary>
[Description("Export daily order CSVs, clean each day, and aggregate a per-product sales report.")]
public sealed class DailySales : Pipeline
{
    [Parameter(Description = "Last day of the report (default: yesterday, UTC).")]
    public DateOnly? End { get; init; }

    [Parameter(Description = "Number of days covered (1 to 366).")]
    public int Days { get; init; } = 7;

    [Parameter(Description = "Folder that holds the inputs and outputs.")]
    public string DataDir { get; init; } = "data";

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Roots()
    {
        if (Days is < 1 or > 366)
        {
            throw new ParameterException([new ParameterError("days", $"Parameter 'days' must be between 1 and 366; got {Days}.")]);
        }

        var end = End ?? DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        return [new SalesReport { End = end, Days = Days, DataDir = DataDir }];
    }
}
