using System.Diagnostics;

namespace Luigi.Web.Tests.Infrastructure;

/// <summary>Runs a test file of the dashboard's scripts (<c>Luigi.AspNetCore/client/test</c>) with <c>node --test</c>.</summary>
public static class NodeTests
{
    /// <summary>The library's folder, where <c>client/</c> lives.</summary>
    public static readonly string Library = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Luigi.AspNetCore"));

    /// <summary>Runs <c>client/test/&lt;file&gt;</c>; asserts that node exits 0 and returns what it printed (TAP).</summary>
    public static async Task<string> RunAsync(string file)
    {
        var start = new ProcessStartInfo("node", ["--test", Path.Combine(Library, "client", "test", file)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(node.ExitCode == 0, await output + await errors);
        return await output;
    }
}
