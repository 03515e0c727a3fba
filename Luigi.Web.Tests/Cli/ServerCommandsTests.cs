using Luigi.Web.Tests.EndToEnd;
using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Cli;

/// <summary><c>trigger</c> and <c>status</c> ask a running host (real Kestrel, real PostgreSQL) through its HTTP API, as cron or
/// CI would with the <c>luigi</c> tool.</summary>
public sealed class ServerCommandsTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task TriggerWait_ExitsZero_WhenTheRunSucceeds_AndStatusShowsIt()
    {
        await using var host = await DashboardHost.StartAsync(postgres);
        var environment = new Dictionary<string, string> { ["LUIGI_SERVER"] = host.BaseUrl, ["LUIGI_TOKEN"] = host.AdminToken };

        var (exitCode, output, error) = await HostProcess.RunAsync(["trigger", "ComplexExample", "--param", "delayMs=0", "--wait", "--poll", "00:00:00.100"], environment);

        Assert.True(exitCode == 0, output + error);
        var runId = output.Split(' ')[1];
        Assert.Contains($"Run {runId} of ComplexExample: Succeeded (7 Done).", output);
        var status = await HostProcess.RunAsync(["status", runId], environment);
        Assert.True(status.ExitCode == 0, status.Output + status.Error);
        Assert.Equal($"Run {runId} of ComplexExample: Succeeded (7 Done).", status.Output.Trim());
    }

    [Fact]
    public async Task TriggerWait_ExitsOne_WhenTheRunFails_NamingTheFailedTask()
    {
        await using var host = await DashboardHost.StartAsync(postgres);
        var environment = new Dictionary<string, string> { ["LUIGI_TOKEN"] = host.AdminToken };
        string[] args =
        [
            "trigger", "ComplexExample", "--server", host.BaseUrl, "--wait", "--poll", "00:00:00.100",
            "--param", "delayMs=0", "--param", "failTask=TaskE", "--param", "failTimes=9", "--param", "retries=0",
        ];

        var (exitCode, output, error) = await HostProcess.RunAsync(args, environment);

        Assert.True(exitCode == 1, output + error);
        Assert.Contains(": Failed (", output);
        Assert.Contains("  TaskE: Failed: ", output);
    }

    [Theory]
    [InlineData("trigger", "NoSuchPipeline", 2, "error: Unknown pipeline 'NoSuchPipeline'.")]
    [InlineData("trigger", "ComplexExample --param delayMs=soon", 2, "error: Parameter 'delayMs' expects a whole number (int); got 'soon'.")]
    [InlineData("status", "0195f0a0-0000-7000-8000-000000000000", 2, "error: There is no run 0195f0a0-0000-7000-8000-000000000000.")]
    public async Task ServerVerbs_ExitWithAUsageError_SayingWhatTheServerRefused(string verb, string rest, int expected, string message)
    {
        await using var host = await DashboardHost.StartAsync(postgres);
        var environment = new Dictionary<string, string> { ["LUIGI_SERVER"] = host.BaseUrl, ["LUIGI_TOKEN"] = host.AdminToken };

        var (exitCode, output, error) = await HostProcess.RunAsync([verb, .. rest.Split(' ')], environment);

        Assert.True(exitCode == expected, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task Trigger_ExitsThree_WhenTheServerRefusesTheToken_OrCannotBeReached()
    {
        await using var host = await DashboardHost.StartAsync(postgres);

        var refused = await HostProcess.RunAsync(["trigger", "Sequence", "--server", host.BaseUrl], new Dictionary<string, string> { ["LUIGI_TOKEN"] = "lgt_wrong" });
        var unreachable = await HostProcess.RunAsync(["trigger", "Sequence", "--server", $"http://127.0.0.1:{LoopbackPort.Free()}"]);

        Assert.True(refused.ExitCode == 3, refused.Output + refused.Error);
        Assert.Contains("error: the server refused the token (401", refused.Error);
        Assert.True(unreachable.ExitCode == 3, unreachable.Output + unreachable.Error);
        Assert.Contains("error: could not reach http://127.0.0.1:", unreachable.Error);
    }
}
