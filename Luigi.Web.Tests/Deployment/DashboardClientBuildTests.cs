using System.Text.Json;
using Luigi.Web.Tests.Cli;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// The dashboard's scripts are bundled by the build (Luigi.AspNetCore/client, run from Luigi.AspNetCore.csproj) and never
/// committed: the build that made these tests must have served them as static web assets of the host.
/// </summary>
public sealed class DashboardClientBuildTests
{
    [Fact]
    public void Build_ServesTheDashboardScripts_AsStaticWebAssets()
    {
        var manifest = Path.Combine(AppContext.BaseDirectory, "Luigi.Web.staticwebassets.endpoints.json");
        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        var routes = document.RootElement.GetProperty("Endpoints").EnumerateArray()
            .Select(endpoint => endpoint.GetProperty("Route").GetString()!)
            .ToHashSet();

        Assert.Contains("js/dashboard.js", routes);
        Assert.Contains("js/elk-worker.min.js", routes);
        Assert.Contains(routes, route => route.StartsWith("js/dashboard-graph-", StringComparison.Ordinal) && route.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(routes, route => route.StartsWith("js/dashboard-timeline-", StringComparison.Ordinal) && route.EndsWith(".js", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Repository_TracksNoBundleAndNoNpmPackage()
    {
        var (exitCode, output, error) = await HostProcess.RunProgramAsync("git", ["ls-files"], workingDirectory: RepositoryFiles.Root);

        Assert.True(exitCode == 0, error);
        var tracked = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("Luigi.AspNetCore/client/src/graph.js", tracked); // the list is real: the sources are there
        Assert.DoesNotContain(tracked, path => path.Contains("/wwwroot/js/", StringComparison.Ordinal) || path.Contains("node_modules/", StringComparison.Ordinal)
            || path.EndsWith(".js.map", StringComparison.Ordinal));
    }
}
