using Luigi.Engine;

namespace Luigi.Web.Tests.Examples;

public sealed class ShopExportsTests : IDisposable
{
    private readonly string _folder = "test-exports-" + Guid.NewGuid().ToString("N");

    private string DataDir => Path.Combine(DataRoot.Directory, _folder);

    private string Incoming => Path.Combine(DataDir, "incoming", "2026-11-25");

    public void Dispose()
    {
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Run_CleansEachFileFoundInTheExport_ThenSkipsEverythingWhenRunAgain()
    {
        Directory.CreateDirectory(Incoming);
        await File.WriteAllLinesAsync(Path.Combine(Incoming, "shop-a.csv"),
            ["order_id,timestamp,product,quantity,unit_price", "1,2026-11-25T08:00:00,apple,2,0.40", "2,2026-11-25T09:00:00,apple,-3,0.40"]);
        await File.WriteAllLinesAsync(Path.Combine(Incoming, "shop-b.csv"),
            ["order_id,timestamp,product,quantity,unit_price", "3,2026-11-25T10:00:00,unknown-item,1,1.00", "4,2026-11-25T11:00:00,cherry,1,3.10"]);
        await File.WriteAllLinesAsync(Path.Combine(Incoming, "shop-c.csv"), ["order_id,timestamp,product,quantity,unit_price"]);
        await File.WriteAllTextAsync(Path.Combine(Incoming, "_SUCCESS"), "");

        var first = await RunAsync(waitHours: 1);

        Assert.True(first.Succeeded, first.Summary.ToString());
        Assert.Equal(TaskState.Complete, first.StateOf("ExportArrived(date=2026-11-25)")); // already there: not waited for
        Assert.Equal(
            ["CleanExport(date=2026-11-25)", "CleanExportFile(date=2026-11-25, file=shop-a.csv)", "CleanExportFile(date=2026-11-25, file=shop-b.csv)",
             "CleanExportFile(date=2026-11-25, file=shop-c.csv)"],
            first.Summary.Ran.Select(n => n.TaskId).Order(StringComparer.Ordinal));
        var clean = Path.Combine(DataDir, "clean", "2026-11-25");
        Assert.Equal(["1,2026-11-25T08:00:00,apple,2,0.40"], File.ReadLines(Path.Combine(clean, "shop-a.csv")).Skip(1));
        Assert.Equal(["4,2026-11-25T11:00:00,cherry,1,3.10"], File.ReadLines(Path.Combine(clean, "shop-b.csv")).Skip(1));
        Assert.Equal(["shop-a.csv: 1 orders", "shop-b.csv: 1 orders", "shop-c.csv: 0 orders"], File.ReadLines(Path.Combine(clean, "_SUMMARY.txt")));

        var second = await RunAsync(waitHours: 1);

        Assert.True(second.Succeeded);
        Assert.Equal(TaskState.Complete, Assert.Single(second.Graph.Nodes).State);
    }

    [Fact]
    public async Task Run_FailsSayingTheExportNeverArrived_WhenItIsMissingAtTheDeadline()
    {
        var result = await RunAsync(waitHours: 0);

        Assert.Equal(1, result.ExitCode);
        var export = result.Graph.Find("ExportArrived(date=2026-11-25)")!;
        Assert.Equal(TaskState.Failed, export.State);
        Assert.Contains($"ExportArrived(date=2026-11-25) never arrived: {Path.Combine(Incoming, "_SUCCESS")}", export.ErrorSummary);
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("CleanExport(date=2026-11-25)"));
    }

    private async Task<RunResult> RunAsync(int waitHours)
    {
        var pipeline = LuigiWebSetup.CreatePipelineRegistry().Create("ShopExports",
        [
            new("date", "2026-11-25"), new("waitHours", waitHours.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("dataDir", _folder),
        ]);
        return await new LuigiEngine(new LuigiEngineOptions { Workers = 2 }).RunAsync(pipeline.Roots());
    }
}
