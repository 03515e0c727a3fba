namespace Luigi.Web.Tests.Cli;

/// <summary>The real binary, started as cron or a CI job would start it.</summary>
public sealed class ProgramExitCodeTests
{
    [Theory]
    [InlineData(new[] { "run", "Sequence", "--store", "memory", "--param", "delayMs=0" }, 0)]
    [InlineData(new[] { "run", "Sequence", "--store", "memory", "--param", "delayMs=0", "--param", "failTask=TaskB", "--param", "failTimes=5", "--param", "retries=0" }, 1)]
    [InlineData(new[] { "run", "Nope" }, 2)]
    [InlineData(new[] { "run" }, 2)]
    public async Task Binary_ReturnsDocumentedExitCode(string[] args, int expected)
    {
        var (exitCode, output, error) = await HostProcess.RunAsync(args);

        Assert.True(expected == exitCode, $"exit {exitCode}, expected {expected}\n{output}\n{error}");
    }
}
