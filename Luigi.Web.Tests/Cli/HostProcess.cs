using System.Diagnostics;

namespace Luigi.Web.Tests.Cli;

/// <summary>Starts the real host binary, as cron, CI or a shell would, and collects what it printed.</summary>
internal static class HostProcess
{
    /// <summary>Runs <c>dotnet Luigi.Web.dll</c> with the examples on (the command-line tests list and run them; a test's
    /// <paramref name="environment"/> may turn them off).</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var withExamples = new Dictionary<string, string> { ["Luigi__Examples__Enabled"] = "true" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            withExamples[name] = value;
        }

        return RunProgramAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Luigi.Web.dll"), .. args], withExamples, workingDirectory);
    }

    /// <summary>Runs any program to its end with the given environment variables.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunProgramAsync(
        string program, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
