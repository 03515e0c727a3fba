using System.Text.Json;

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
}
