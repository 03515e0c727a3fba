using Luigi.Engine;
using Luigi.Web.Cli;

namespace Luigi.Web.Tests.Cli;

public sealed class CliAppTests
{
    [Fact]
    public async Task List_ShowsEveryExamplePipelineWithParametersTypesAndDefaults()
    {
        var result = await CliResult.RunAsync("list");

        Assert.Equal(0, result.ExitCode);
        foreach (var name in new[] { "Sequence", "ParallelJoin", "ComplexExample", "DailySales" })
        {
            Assert.Contains(name, result.Output);
        }

        Assert.Contains("--param delayMs=...  a whole number (int), from 0 to 600000; default: 500", result.Output);
        Assert.Contains("--param end=...  a date like 2026-11-26 (yyyy-MM-dd), from 2000-01-01 to 2099-12-31; default: (none)", result.Output);
        Assert.Contains("--param dataDir=...  a path under the data root like sales/eu (relative, no '..'), at most 200 characters; default: sales", result.Output);
        Assert.Contains("--param failTask=...  text, matching (Task[A-Z])?; at most 5 characters", result.Output);
    }

    [Fact]
    public async Task Run_ExitsTwoAndNamesKnownPipelines_WhenPipelineIsUnknown()
    {
        var result = await CliResult.RunAsync("run", "NoSuchPipeline");

        Assert.Equal(CliApp.UsageError, result.ExitCode);
        Assert.Contains("Unknown pipeline 'NoSuchPipeline'", result.Error);
        Assert.Contains("ComplexExample", result.Error);
        Assert.Contains("DailySales", result.Error);
    }

    [Fact]
    public async Task Run_ExitsTwoAndListsValidParameters_WhenParameterIsUnknown()
    {
        var result = await CliResult.RunAsync("run", "Sequence", "--param", "speed=3");

        Assert.Equal(CliApp.UsageError, result.ExitCode);
        Assert.Contains("Unknown parameter 'speed'", result.Error);
        Assert.Contains("delayMs", result.Error);
        Assert.Contains("retryDelay", result.Error);
    }

    [Theory]
    [InlineData("delayMs=soon", "Parameter 'delayMs' expects a whole number (int); got 'soon'")]
    [InlineData("end=26/11/2026", "Parameter 'end' expects a date like 2026-11-26 (yyyy-MM-dd); got '26/11/2026'")]
    [InlineData("retryDelay=forever", "Parameter 'retryDelay' expects a duration")]
    [InlineData("days", "--param expects name=value; got 'days'")]
    public async Task Run_ExitsTwoAndNamesTheProblem_WhenParameterIsMalformed(string assignment, string expected)
    {
        var pipeline = assignment.StartsWith("end", StringComparison.Ordinal) || assignment == "days" ? "DailySales" : "Sequence";

        var result = await CliResult.RunAsync("run", pipeline, "--param", assignment);

        Assert.Equal(CliApp.UsageError, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }

    [Theory]
    [InlineData("DailySales", "days=0", "Parameter 'days' must be from 1 to 366; got 0.")]
    [InlineData("DailySales", "end=0001-01-01", "Parameter 'end' must be from 2000-01-01 to 2099-12-31; got 0001-01-01.")]
    [InlineData("DailySales", "dataDir=../../../../tmp/x", "got '../../../../tmp/x': '..' would leave the data root.")]
    [InlineData("DailySales", "dataDir=/tmp/x", "got '/tmp/x': it is absolute; give a path relative to the data root.")]
    [InlineData("DailySales", "dataDir=C:\\temp\\x", "it is absolute")]
    [InlineData("DailySales", "dataDir=..\\..\\x", "'..' would leave the data root")]
    [InlineData("DailySales", "dataDir=", "got '': it is empty")]
    [InlineData("Sequence", "delayMs=-1", "Parameter 'delayMs' must be from 0 to 600000; got -1.")]
    [InlineData("Sequence", "failTimes=2147483647", "Parameter 'failTimes' must be from 0 to 100; got 2147483647.")]
    [InlineData("Sequence", "retries=2147483647", "Parameter 'retries' must be from 0 to 20; got 2147483647.")]
    [InlineData("Sequence", "retryDelay=99999999d", "Parameter 'retryDelay' expects a duration like 00:05:00, 90s, 15m, 2h or 1d; got '99999999d' (longer than")]
    [InlineData("Sequence", "failTask=../TaskA", "Parameter 'failTask' is at most 5 characters long; got 8.")]
    public async Task Run_ExitsTwoAndNamesTheLimit_WhenAValueIsOutsideIt(string pipeline, string assignment, string expected)
    {
        var result = await CliResult.RunAsync("run", pipeline, "--store", "memory", "--param", assignment);

        Assert.Equal(CliApp.UsageError, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("running", result.Output);
    }

    [Theory]
    [InlineData("--workers", "0")]
    [InlineData("--store", "cassandra")]
    public async Task Run_ExitsTwo_WhenOptionIsInvalid(string option, string value)
    {
        var result = await CliResult.RunAsync("run", "Sequence", option, value);

        Assert.Equal(CliApp.UsageError, result.ExitCode);
        Assert.Contains("error:", result.Error);
    }

    [Fact]
    public async Task DryRun_ShowsWhatWouldRunAndWhatIsComplete_ByFamily_AndRunsNothing()
    {
        var name = $"dry-run-{Guid.NewGuid():N}"; // a folder under the data root: paths outside it are refused
        var dataDir = "";
        try
        {
            var first = await CliResult.RunAsync("run", "DailySales", "--store", "memory", "--param", "end=2026-11-02", "--param", "days=2", "--param", $"dataDir={name}");
            Assert.Equal(0, first.ExitCode);
            dataDir = DataRoot.Resolve(name);
            var files = Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories).Order().ToArray();
            Assert.NotEmpty(files);

            var result = await CliResult.RunAsync("run", "DailySales", "--dry-run", "--param", "end=2026-11-03", "--param", "days=3", "--param", $"dataDir={name}");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Dry run of DailySales: nothing was run.", result.Output);
            Assert.Contains("5 tasks: 3 would run, 2 complete already, 0 cannot run.", result.Output);
            Assert.Matches(@"CleanOrders\s+1\s+2\s+0", result.Output);
            Assert.Matches(@"GenerateOrders\s+1\s+0\s+0", result.Output);
            Assert.Matches(@"SalesReport\s+1\s+0\s+0", result.Output);
            Assert.Contains("  CleanOrders(date=2026-11-03)", result.Output);
            Assert.DoesNotContain("CleanOrders(date=2026-11-02)", result.Output);
            Assert.Equal(files, Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories).Order());
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Run_ExitsZeroAndPrintsSummary_WhenEverythingSucceeds()
    {
        var result = await CliResult.RunAsync("run", "ParallelJoin", "--store", "memory", "--workers", "2", "--param", "delayMs=0");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Scheduled 3 tasks of which:", result.Output);
        Assert.Contains("* 3 ran successfully:", result.Output);
        Assert.Contains("This progress looks :)", result.Output);
    }

    [Fact]
    public async Task Run_ExitsOneAndReportsFailureAndBlockedTask_WhenATaskKeepsFailing()
    {
        var result = await CliResult.RunAsync(
            "run", "ComplexExample", "--store", "memory", "--workers", "2",
            "--param", "delayMs=0", "--param", "failTask=TaskE", "--param", "failTimes=9", "--param", "retries=1", "--param", "retryDelay=0s");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("TaskE (after 2 attempts): System.InvalidOperationException: TaskE failed on purpose", result.Output);
        Assert.Contains("TaskG, blocked by TaskE", result.Output);
        Assert.Contains("* 5 ran successfully:", result.Output);
    }

    [Fact]
    public async Task Run_ExitsZeroAfterRetries_WhenATaskFailsFewerTimesThanItMayRetry()
    {
        var result = await CliResult.RunAsync(
            "run", "Sequence", "--store", "memory", "--param", "delayMs=0", "--param", "failTask=TaskA", "--param", "failTimes=2", "--param", "retries=2", "--param", "retryDelay=10ms");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("TaskA attempt 2 failed, will retry", result.Output);
        Assert.Matches(@"TaskA running \(worker \d, attempt 3\)", result.Output);
        Assert.Contains("* 2 ran successfully:", result.Output);
    }
}
