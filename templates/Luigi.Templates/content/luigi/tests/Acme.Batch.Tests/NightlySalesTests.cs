using Acme.Batch.Pipelines;
using Luigi.Engine;

namespace Acme.Batch.Tests;

public sealed class NightlySalesTests
{
    public NightlySalesTests()
    {
        // Relative file targets resolve under the data root: a folder of this test's own, not the host's data.
        DataRoot.Set(Directory.CreateTempSubdirectory("acme-batch-tests-").FullName);
    }

    [Fact]
    public async Task NightlySales_WritesTheDaysReport()
    {
        var engine = new LuigiEngine(new LuigiEngineOptions { Workers = 2 });

        var result = await engine.RunAsync(new NightlySales { Date = new DateOnly(2026, 12, 1) }.Roots());

        Assert.True(result.Succeeded, result.Summary.ToString());
        var report = await File.ReadAllTextAsync(Path.Combine(DataRoot.Directory, "reports", "sales-2026-12-01.txt"));
        Assert.StartsWith("2026-12-01: 100 orders, total ", report);
    }

    [Fact]
    public async Task NightlySales_SkipsADayWhoseReportExists()
    {
        var engine = new LuigiEngine(new LuigiEngineOptions { Workers = 2 });
        var day = new NightlySales { Date = new DateOnly(2026, 12, 2) };
        await engine.RunAsync(day.Roots());

        var again = await engine.RunAsync(day.Roots());

        Assert.Empty(again.Summary.Ran);
        Assert.Equal(TaskState.Complete, again.StateOf("SalesReport(date=2026-12-02)"));
    }
}
