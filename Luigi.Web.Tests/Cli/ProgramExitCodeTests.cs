using System.Diagnostics;

namespace Luigi.Web.Tests.Cli;

/// <summary>The real binary, started as cron or a CI job would start it.</summary>
public sealed class ProgramExitCodeTests
{
    [Theory]
    [InlineData(new[] { "run", "Sequence", "--param", "delayMs=0" }, 0)]
    [InlineData(new[] { "run", "Sequence", "--param", "delayMs=0", "--param", "failTask=TaskB", "--param", "failTimes=5", "--param", "retries=0" }, 1)]
    [InlineData(new[] { "run", "Nope" }, 2)]
    [InlineData(new[] { "run" }, 2)]
    public async Task Binary_ReturnsDocumentedExitCode(string[] args, int expected)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Luigi.Web.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(expected == process.ExitCode, $"exit {process.ExitCode}, expected {expected}\n{await output}\n{await error}");
    }
}
