using System.Globalization;
using Luigi.Engine;

namespace Luigi.Web.Tests.Examples;

public sealed class DailySalesTests : IDisposable
{
    private readonly string _folder = "test-sales-" + Guid.NewGuid().ToString("N");

    private string DataDir => Path.Combine(DataRoot.Directory, _folder);

    public void Dispose()
    {
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Run_ProducesEveryFileAndSkipsEverything_WhenRunTwice()
    {
        var first = await RunAsync();

        Assert.True(first.Succeeded);
        Assert.Equal(7, first.Summary.Ran.Count); // 3 exports, 3 cleanings, 1 report
        Assert.Equal(3, Directory.GetFiles(Path.Combine(DataDir, "raw")).Length);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(DataDir, "clean")).Length);
        Assert.True(File.Exists(ReportPath));

        var second = await RunAsync();

        Assert.True(second.Succeeded);
        Assert.Empty(second.Summary.Ran);
        var only = Assert.Single(second.Graph.Nodes);
        Assert.Equal(TaskState.Complete, only.State);
    }

    [Fact]
    public async Task Run_RerunsExactlyTheMissingStepAndWhatDependsOnIt_WhenAnIntermediateFileIsDeleted()
    {
        await RunAsync();
        File.Delete(Path.Combine(DataDir, "clean", "orders-2026-11-24.csv"));

        var rerun = await RunAsync();

        Assert.True(rerun.Succeeded);
        Assert.Equal(
            ["CleanOrders(date=2026-11-24)", "SalesReport(days=3, end=2026-11-25)"],
            rerun.Summary.Ran.Select(n => n.TaskId).Order().ToArray());
        Assert.Equal(TaskState.Complete, rerun.StateOf("GenerateOrders(date=2026-11-24)"));
        Assert.Equal(TaskState.Complete, rerun.StateOf("CleanOrders(date=2026-11-23)"));
    }

    [Fact]
    public async Task Run_ReportsTotalsOfTheCleanedOrdersOnly()
    {
        await RunAsync();

        var expected = new Dictionary<string, decimal>();
        var dropped = 0;
        foreach (var raw in Directory.GetFiles(Path.Combine(DataDir, "raw")))
        {
            foreach (var line in File.ReadLines(raw).Skip(1))
            {
                var f = line.Split(',');
                if (f.Length == 5 && int.TryParse(f[3], CultureInfo.InvariantCulture, out var q) && q > 0
                    && decimal.TryParse(f[4], CultureInfo.InvariantCulture, out var p) && f[2] != "unknown-item")
                {
                    expected[f[2]] = expected.GetValueOrDefault(f[2]) + q * p;
                }
                else
                {
                    dropped++;
                }
            }
        }

        var report = File.ReadLines(ReportPath).Skip(1)
            .Select(l => l.Split(','))
            .ToDictionary(f => f[0], f => decimal.Parse(f[3], CultureInfo.InvariantCulture));
        Assert.True(dropped > 0, "the generated exports should contain malformed rows to clean");
        Assert.Equal(expected.Keys.Order(), report.Keys.Order());
        foreach (var (product, revenue) in expected)
        {
            Assert.Equal(Math.Round(revenue, 2), report[product]);
        }
    }

    private string ReportPath => Path.Combine(DataDir, "reports", "sales-2026-11-23_2026-11-25.csv");

    private async Task<RunResult> RunAsync()
    {
        var pipeline = LuigiWebSetup.CreatePipelineRegistry().Create("DailySales",
        [
            new("end", "2026-11-25"), new("days", "3"), new("dataDir", _folder),
        ]);
        return await new LuigiEngine(new LuigiEngineOptions { Workers = 2 }).RunAsync(pipeline.Roots());
    }
}
