using Luigi.Web.Dashboard;

namespace Luigi.Web.Tests.Components;

public sealed class TaskOutputCheckerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("luigi-outputs-").FullName;
    private readonly TaskOutputChecker _checker = new(
        LuigiWebSetup.CreatePipelineRegistry().Add(typeof(FileOutputPipeline)), TimeProvider.System);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Dictionary<string, string> Parameters(string file) => new() { ["path"] = Path.Combine(_folder, file) };

    private static string TaskId(string path) => $"WriteFile(path={path})";

    [Fact]
    public async Task ExistingOutput_IsReportedAsExisting_AndAMissingOneAsMissing()
    {
        var present = Parameters("present.txt");
        await File.WriteAllTextAsync(present["path"], "x");
        var absent = Parameters("absent.txt");

        var there = await _checker.CheckAsync(nameof(FileOutputPipeline), present, TaskId(present["path"]));
        var missing = await _checker.CheckAsync(nameof(FileOutputPipeline), absent, TaskId(absent["path"]));

        Assert.Null(there.Unknown);
        Assert.Equal(new OutputStatus(present["path"], true), Assert.Single(there.Outputs));
        Assert.Equal(false, Assert.Single(missing.Outputs).Exists);
    }

    [Fact]
    public async Task TaskThePipelineNoLongerMakes_IsUnknown()
    {
        var report = await _checker.CheckAsync(nameof(FileOutputPipeline), Parameters("a.txt"), "WriteFile(path=elsewhere)");

        Assert.Contains("no longer produces", report.Unknown);
    }

    [Fact]
    public async Task PipelineThisHostDoesNotKnow_IsUnknown()
    {
        var report = await _checker.CheckAsync("Vanished", new Dictionary<string, string>(), "TaskA");

        Assert.StartsWith("unknown: the task cannot be built again", report.Unknown);
    }
}
