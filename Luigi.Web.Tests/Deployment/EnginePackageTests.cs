using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Web.Pipelines;
using Luigi.Web.Tests.Pipelines;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// The packages a team adopts carry their version, licence, authors, README and description (the libraries their symbols);
/// Luigi.Engine, what its pipeline projects reference, brings no database driver; Luigi.Storage
/// brings the store for both providers. Packed from this build (<see cref="PackedPackages"/>) and read as NuGet reads them.
/// A team's pipeline project (samples/Acme.Pipelines, which references Luigi.Engine alone) restores no driver either and
/// runs its pipeline in memory.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class EnginePackageTests(PackedPackages packages) : IDisposable
{
    private static readonly string[] DatabaseDrivers = ["Microsoft.EntityFrameworkCore", "Npgsql", "Microsoft.Data.Sqlite", "SQLitePCLRaw"];

    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-packages-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void Packages_CarryTheirMetadata_AndTheEngineNoDatabaseDriver()
    {
        var engine = ReadPackage("Luigi.Engine");
        var storage = ReadPackage("Luigi.Storage");

        Assert.DoesNotContain(engine.Dependencies, IsDatabaseDriver);
        Assert.Contains("Cronos", engine.Dependencies); // the list is real: what the engine does use is there
        Assert.Contains("Luigi.Engine", storage.Dependencies);
        Assert.Contains("Npgsql.EntityFrameworkCore.PostgreSQL", storage.Dependencies);
        Assert.Contains("Microsoft.EntityFrameworkCore.Sqlite", storage.Dependencies);
        foreach (var package in PackedPackages.Projects.Select(project => ReadPackage(project.Id)))
        {
            Assert.Equal(engine.Version, package.Version);
            Assert.Equal("Apache-2.0", package.Metadata("license"));
            Assert.Equal("Luigi for .NET contributors", package.Metadata("authors"));
            Assert.Equal("README.md", package.Metadata("readme"));
            Assert.StartsWith("# ", package.Readme, StringComparison.Ordinal);
            Assert.Contains(package.Id, package.Readme, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(package.Metadata("description")));
        }

        foreach (var library in new[] { "Luigi.Engine", "Luigi.Storage", "Luigi.AspNetCore" })
        {
            Assert.True(File.Exists(Path.Combine(packages.Folder, $"{library}.{packages.Version}.snupkg")), $"no symbols package for {library}");
        }
    }

    [Fact]
    public async Task ATeamsPipelineProject_RestoresNoDatabaseDriver_AndRunsItsPipelineInMemory()
    {
        using var assets = JsonDocument.Parse(await File.ReadAllTextAsync(RepositoryFiles.PathOf("samples/Acme.Pipelines/obj/project.assets.json")));
        var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0]).ToArray();
        var snapshot = PipelineAssemblyLoader.Load(TeamPipelines.AssemblyPath).GetType("Acme.Pipelines.InventorySnapshot", throwOnError: true)!;
        var registry = new PipelineRegistry().Add(snapshot);
        var pipeline = registry.Create("InventorySnapshot", new Dictionary<string, string> { ["date"] = "2026-11-26", ["dataDir"] = _scratch });

        var result = await new LuigiEngine(new LuigiEngineOptions { Workers = 2 }).RunAsync(pipeline.Roots());

        Assert.Contains("Luigi.Engine", libraries);
        Assert.DoesNotContain(libraries, IsDatabaseDriver);
        Assert.True(result.Succeeded, result.Summary.ToString());
        Assert.True(File.Exists(Path.Combine(_scratch, "snapshots", "inventory-2026-11-26.csv")));
    }

    private static bool IsDatabaseDriver(string package) => DatabaseDrivers.Any(d => package.StartsWith(d, StringComparison.OrdinalIgnoreCase));

    private Package ReadPackage(string id)
    {
        var path = packages.PackageOf(id);
        using var zip = ZipFile.OpenRead(path);
        var nuspec = XDocument.Load(zip.GetEntry($"{id}.nuspec")!.Open());
        using var readme = new StreamReader(zip.GetEntry("README.md")?.Open() ?? Stream.Null);
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        return new Package(id, metadata, readme.ReadToEnd());
    }

    private sealed record Package(string Id, XElement MetadataElement, string Readme)
    {
        public string Version => Metadata("version");

        public IReadOnlyList<string> Dependencies => MetadataElement.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string)e.Attribute("id")!).ToArray();

        public string Metadata(string name) => MetadataElement.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value.Trim() ?? "";
    }
}
