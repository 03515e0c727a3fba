using Luigi.Web.Tests.Cli;
using Luigi.Web.Tests.Pipelines;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// The host packs as the <c>luigi</c> dotnet tool: packed from this build (<c>dotnet pack --no-build</c>), installed from
/// that package alone into a folder of the test's own, and run from an empty folder as a user would.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-tool-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Luigi_ListsAndRunsPipelines_InstalledAsADotnetTool()
    {
        var packages = Path.Combine(_scratch, "packages");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // Debug or Release, as the tests were built
        await RunAsync("dotnet", ["pack", RepositoryFiles.PathOf("Luigi.Web/Luigi.Web.csproj"), "--no-build", "-c", configuration, "-o", packages], RepositoryFiles.Root);
        var feed = Path.Combine(_scratch, "nuget.config"); // this package only: no other feed may answer for its name
        await File.WriteAllTextAsync(feed, $"""
            <configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>
            """);
        var tools = Path.Combine(_scratch, "tools");
        await RunAsync("dotnet", ["tool", "install", "Luigi.Web", "--tool-path", tools, "--configfile", feed], _scratch);
        var work = Directory.CreateDirectory(Path.Combine(_scratch, "work")).FullName;
        var luigi = Path.Combine(tools, "luigi");
        var environment = new Dictionary<string, string> { ["Luigi__Pipelines__Assemblies__0"] = TeamPipelines.AssemblyPath };

        var list = await RunAsync(luigi, ["list"], work, environment);
        var run = await RunAsync(luigi, ["run", "Reorder", "--store", "memory", "--param", "date=2026-11-26", "--param", "threshold=1000"], work, environment);

        Assert.Contains("InventorySnapshot  Count each warehouse's stock", list);
        Assert.DoesNotContain("ComplexExample", list); // examples are off unless turned on
        Assert.Contains("ran successfully", run);
        Assert.Equal(6, (await File.ReadAllLinesAsync(Path.Combine(work, "data", "acme", "reorder", "reorder-2026-11-26-below-1000.csv"))).Length);
    }

    /// <summary>Runs a program to its end and returns what it printed; fails the test, with its output, if it exits non-zero.</summary>
    private static async Task<string> RunAsync(string program, string[] args, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        var (exitCode, output, error) = await HostProcess.RunProgramAsync(program, args, environment, workingDirectory);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', args)} exited {exitCode}\n{output}\n{error}");
        return output;
    }
}
