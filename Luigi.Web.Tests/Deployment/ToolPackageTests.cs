using Luigi.Web.Tests.Pipelines;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// The host packs as the <c>luigi</c> dotnet tool: packed from this build (<see cref="PackedPackages"/>), installed from
/// that package alone into a folder of the test's own, and run from an empty folder as a user would.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class ToolPackageTests(PackedPackages packages) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-tool-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Luigi_ListsAndRunsPipelines_InstalledAsADotnetTool()
    {
        var feed = await packages.WriteNuGetConfigAsync(_scratch);
        var tools = Path.Combine(_scratch, "tools");
        await packages.RunAsync("dotnet", ["tool", "install", "Luigi.Web", "--version", packages.Version, "--tool-path", tools, "--configfile", feed], _scratch);
        var work = Directory.CreateDirectory(Path.Combine(_scratch, "work")).FullName;
        var luigi = Path.Combine(tools, "luigi");
        var environment = new Dictionary<string, string> { ["Luigi__Pipelines__Assemblies__0"] = TeamPipelines.AssemblyPath };

        var list = await packages.RunAsync(luigi, ["list"], work, environment);
        var run = await packages.RunAsync(luigi, ["run", "Reorder", "--store", "memory", "--param", "date=2026-11-26", "--param", "threshold=1000"], work, environment);

        Assert.Contains("InventorySnapshot  Count each warehouse's stock", list);
        Assert.DoesNotContain("ComplexExample", list); // examples are off unless turned on
        Assert.Contains("ran successfully", run);
        Assert.Equal(6, (await File.ReadAllLinesAsync(Path.Combine(work, "data", "acme", "reorder", "reorder-2026-11-26-below-1000.csv"))).Length);
    }
}
