using Luigi.Web.Tests.Cli;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// Every package a team installs, packed once from this build into a folder of the tests' own, with a version no other
/// build has (<c>-p:PackageVersion</c>), so that nothing a machine's NuGet cache holds from an earlier build can answer for
/// them: the engine (<c>Luigi.Engine</c>), the store (<c>Luigi.Storage</c>), the dashboard library
/// (<c>Luigi.AspNetCore</c>), the <c>luigi</c> tool (<c>Luigi.Web</c>) and the template (<c>Luigi.Templates</c>).
/// The packages' own projects are packed <c>--no-build</c>, as the tests were built.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    /// <summary>The projects packed, by package id.</summary>
    public static readonly IReadOnlyList<(string Id, string Project)> Projects =
    [
        ("Luigi.Engine", "Luigi.Engine/Luigi.Engine.csproj"),
        ("Luigi.Storage", "Luigi.Storage/Luigi.Storage.csproj"),
        ("Luigi.AspNetCore", "Luigi.AspNetCore/Luigi.AspNetCore.csproj"),
        ("Luigi.Web", "Luigi.Web/Luigi.Web.csproj"),
        ("Luigi.Templates", "templates/Luigi.Templates/Luigi.Templates.csproj"),
    ];

    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-packages-").FullName;

    /// <summary>The folder every package was packed into: the one feed their ids may come from.</summary>
    public string Folder => Path.Combine(_scratch, "packages");

    /// <summary>This build's packages' version, the same for all.</summary>
    public string Version { get; } = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    /// <summary>
    /// A NuGet packages folder of the tests' own, so packages extracted for them are deleted with them; the machine's own
    /// folder serves as a read-only fallback, so third-party packages it holds are not downloaded again.
    /// </summary>
    public IReadOnlyDictionary<string, string> NuGetEnvironment => new Dictionary<string, string>
    {
        ["NUGET_PACKAGES"] = Path.Combine(_scratch, "nuget-packages"),
        ["NUGET_FALLBACK_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
    };

    /// <summary>
    /// Writes a <c>nuget.config</c> into <paramref name="folder"/> under which the Luigi packages come from <see cref="Folder"/>
    /// only (package source mapping), and everything else from the machine's own sources.
    /// </summary>
    public async Task<string> WriteNuGetConfigAsync(string folder)
    {
        var path = Path.Combine(folder, "nuget.config");
        await File.WriteAllTextAsync(path, $"""
            <configuration>
              <packageSources>
                <add key="luigi-under-test" value="{Folder}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="luigi-under-test"><package pattern="Luigi.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        return path;
    }

    public async Task InitializeAsync()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // Debug or Release, as the tests were built
        foreach (var (_, project) in Projects)
        {
            var noBuild = project.StartsWith("templates/", StringComparison.Ordinal) ? [] : new[] { "--no-build" }; // a template has nothing to build
            await RunAsync("dotnet", ["pack", RepositoryFiles.PathOf(project), .. noBuild, "-c", configuration, "-o", Folder, $"-p:PackageVersion={Version}"], RepositoryFiles.Root);
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_scratch, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The path of package <paramref name="id"/>'s .nupkg.</summary>
    public string PackageOf(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");

    /// <summary>Runs a program to its end and returns what it printed; fails the test, with its output, if it exits non-zero.</summary>
    public async Task<string> RunAsync(string program, string[] args, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        var withNuGet = new Dictionary<string, string>(NuGetEnvironment);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            withNuGet[name] = value;
        }

        var (exitCode, output, error) = await HostProcess.RunProgramAsync(program, args, withNuGet, workingDirectory);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', args)} exited {exitCode}\n{output}\n{error}");
        return output;
    }
}

/// <summary>The tests that install what <see cref="PackedPackages"/> packed share one packing.</summary>
[CollectionDefinition(Name)]
public sealed class PackedPackagesCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "Packed packages";
}
