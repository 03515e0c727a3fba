using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Web.Pipelines;
using Luigi.Web.Tests.Cli;
using Microsoft.Extensions.Configuration;

namespace Luigi.Web.Tests.Pipelines;

/// <summary>A team's pipelines reach the command line through <c>Luigi:Pipelines:Assemblies</c>, without touching Luigi.Web.</summary>
public sealed class PipelineAssemblyLoaderTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-team-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task List_ShowsTheTeamPipelinesWithTheirParameters_NextToTheExamples()
    {
        var (exitCode, output, error) = await HostProcess.RunAsync(["list"], TeamPipelines.Listing(TeamPipelines.AssemblyPath));

        Assert.True(exitCode == 0, output + error);
        var snapshot = TeamPipelines.ListingOf(output, "InventorySnapshot");
        Assert.Contains("Count each warehouse's stock for a day and merge the counts into one inventory snapshot.", snapshot);
        Assert.Contains("--param date=...  a date like 2026-11-26 (yyyy-MM-dd); required", snapshot);
        Assert.Contains("--param warehouses=...  a comma-separated list of text, at most 4096 characters; default: north,south", snapshot);
        Assert.Contains("--param dataDir=...  text, at most 4096 characters; default: acme", snapshot);
        Assert.Contains("--param threshold=...  a whole number (int); default: 150", TeamPipelines.ListingOf(output, "Reorder"));
        Assert.Contains("Export daily order CSVs", TeamPipelines.ListingOf(output, "DailySales"));
    }

    [Fact]
    public async Task Run_RunsATeamPipelineToItsFiles()
    {
        var dataDir = Path.Combine(_scratch, "data");
        string[] args =
        [
            "run", "InventorySnapshot", "--store", "memory", "--workers", "2",
            "--param", "date=2026-11-26", "--param", "warehouses=east,west,north", "--param", $"dataDir={dataDir}",
        ];

        var (exitCode, output, error) = await HostProcess.RunAsync(args, TeamPipelines.Listing(TeamPipelines.AssemblyPath));

        Assert.True(exitCode == 0, output + error);
        Assert.Contains("* 4 ran successfully:", output);
        var counts = Directory.GetFiles(Path.Combine(dataDir, "stock"), "2026-11-26.csv", SearchOption.AllDirectories);
        Assert.Equal(["east", "north", "west"], counts.Select(c => Path.GetFileName(Path.GetDirectoryName(c))).Order());
        var snapshot = await File.ReadAllLinesAsync(Path.Combine(dataDir, "snapshots", "inventory-2026-11-26.csv"));
        Assert.Equal(["sku", "bolt-m6", "bracket-l", "hinge-40", "nut-m6", "washer-m6"], snapshot.Select(l => l.Split(',')[0]));
        Assert.Equal(TotalUnits(counts.SelectMany(File.ReadLines)), TotalUnits(snapshot));
    }

    [Fact]
    public async Task Run_FindsTheAssemblyFromTheCurrentDirectory_WhenItsPathIsRelative()
    {
        var relative = Path.GetRelativePath(_scratch, TeamPipelines.AssemblyPath);
        string[] args = ["run", "Reorder", "--store", "memory", "--param", "date=2026-11-26", "--param", "threshold=1000"];

        var (exitCode, output, error) = await HostProcess.RunAsync(args, TeamPipelines.Listing(relative), workingDirectory: _scratch);

        Assert.True(exitCode == 0, output + error);
        var reorder = await File.ReadAllLinesAsync(Path.Combine(_scratch, "data", "acme", "reorder", "reorder-2026-11-26-below-1000.csv"));
        Assert.Equal(6, reorder.Length); // the header and all five products
    }

    [Theory]
    [InlineData("list")]
    [InlineData("run", "InventorySnapshot", "--store", "memory", "--param", "date=2026-11-26")]
    public async Task Cli_ExitsWithAUsageErrorNamingThePathAndTheSetting_WhenTheAssemblyIsMissing(params string[] args)
    {
        var missing = Path.Combine(_scratch, "Missing.Pipelines.dll");

        var (exitCode, output, error) = await HostProcess.RunAsync(args, TeamPipelines.Listing(missing));

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains($"error: The pipeline assembly '{missing}' listed in Luigi:Pipelines:Assemblies:0 does not exist.", error);
        Assert.Equal("", output);
    }

    [Fact]
    public void CreatePipelineRegistry_FailsNamingThePathAndTheSetting_WhenTheFileIsNoAssembly()
    {
        var notes = Path.Combine(_scratch, "notes.dll");
        File.WriteAllText(notes, "not an assembly");

        var exception = Assert.Throws<PipelineAssemblyException>(() => LuigiWebSetup.CreatePipelineRegistry(Settings(notes)));

        Assert.StartsWith($"The pipeline assembly '{notes}' listed in Luigi:Pipelines:Assemblies:0 could not be loaded:", exception.Message);
    }

    [Fact]
    public void AddConfiguredAssemblies_NamesBothTypes_WhenATeamPipelineTakesAnExistingName()
    {
        var registry = new PipelineRegistry().Add(typeof(InventorySnapshot));

        var exception = Assert.Throws<PipelineAssemblyException>(() => registry.AddConfiguredAssemblies(Settings(TeamPipelines.AssemblyPath), _scratch));

        Assert.Contains($"'{TeamPipelines.AssemblyPath}' listed in Luigi:Pipelines:Assemblies:0", exception.Message);
        Assert.Contains(
            $"Two pipelines are named 'InventorySnapshot': {typeof(InventorySnapshot).FullName} and Acme.Pipelines.InventorySnapshot.",
            exception.Message);
    }

    private static IConfiguration Settings(string path) =>
        new ConfigurationBuilder().AddInMemoryCollection([new(PipelineAssemblyLoader.Setting + ":0", path)]).Build();

    private static int TotalUnits(IEnumerable<string> csv) => csv.Where(l => l != "sku,quantity").Sum(l => int.Parse(l.Split(',')[1]));

    /// <summary>A pipeline of the host with the name of one of the team's.</summary>
    private sealed class InventorySnapshot : Pipeline
    {
        public override IEnumerable<LuigiTask> Roots() => [];
    }
}
