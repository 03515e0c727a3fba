using System.Diagnostics;

namespace Luigi.Web.Tests.Cli;

/// <summary>Starts the real host binary, as cron, CI or a shell would, and collects what it printed.</summary>
internal static class HostProcess
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Luigi.Web.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Luigi__Examples__Enabled"] = "true"; // the command-line tests list and run the examples; a test may turn them off
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
