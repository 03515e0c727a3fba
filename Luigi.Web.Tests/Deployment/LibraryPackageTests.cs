using System.IO.Compression;
using System.Net;
using Luigi.Web.Tests.Cli;
using Luigi.Web.Tests.Hosting;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// Luigi.AspNetCore packs as a library with the dashboard's built scripts inside: a team's app that references the package
/// (not the project), built where no Node.js build of the dashboard runs, serves them under its prefix.
/// </summary>
public sealed class LibraryPackageTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-library-").FullName;

    // A version of this test's own, so that no package restored before (or from another feed) answers for it.
    private readonly string _version = $"0.0.0-test.{Guid.NewGuid():N}";

    public void Dispose()
    {
        Directory.Delete(_scratch, recursive: true);
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in new[] { "luigi.aspnetcore", "luigi.engine" })
        {
            var restored = Path.Combine(cache, package, _version);
            if (Directory.Exists(restored))
            {
                Directory.Delete(restored, recursive: true);
            }

            if (Directory.Exists(Path.GetDirectoryName(restored)) && !Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(restored)!).Any())
            {
                Directory.Delete(Path.GetDirectoryName(restored)!); // no version of it left: the cache is as before
            }
        }
    }

    [Fact]
    public async Task TeamApp_ReferencingThePackage_ServesTheDashboardScripts_UnderItsPrefix()
    {
        var packages = Path.Combine(_scratch, "packages");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // Debug or Release, as the tests were built
        foreach (var project in new[] { "Luigi.Engine/Luigi.Engine.csproj", "Luigi.AspNetCore/Luigi.AspNetCore.csproj" })
        {
            await RunAsync("dotnet", ["pack", RepositoryFiles.PathOf(project), "--no-build", "-c", configuration, "-o", packages, $"-p:PackageVersion={_version}"], RepositoryFiles.Root);
        }

        using (var package = ZipFile.OpenRead(Path.Combine(packages, $"Luigi.AspNetCore.{_version}.nupkg")))
        {
            var entries = package.Entries.Select(entry => entry.FullName).ToHashSet();
            Assert.Contains("staticwebassets/js/dashboard.js", entries);
            Assert.Contains("staticwebassets/_framework/blazor.web.js", entries);
            Assert.Contains("staticwebassets/css/app.css", entries);
        }

        var app = Directory.CreateDirectory(Path.Combine(_scratch, "app")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <configuration><packageSources><add key="luigi-test" value="{packages}" /></packageSources></configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "TeamApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
              <ItemGroup><PackageReference Include="Luigi.AspNetCore" Version="{_version}" /></ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddLuigi(builder.Configuration);
            var app = builder.Build();
            app.MapLuigi("/luigi");
            app.MapGet("/", () => Results.Redirect("/luigi/"));
            app.Run();
            """);
        // Built with only the .NET SDK on the PATH: no Node.js or npm, as on a team's build machine.
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, "dotnet")).First(File.Exists);
        var dotnet = Path.GetDirectoryName(new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath)!;
        await RunAsync("dotnet", ["build", "-c", "Debug"], app, new Dictionary<string, string> { ["PATH"] = dotnet });
        Assert.False(File.Exists(Path.Combine(dotnet, "node")), $"{dotnet} holds node, so the build above could have used it.");

        await using var host = await AppProcess.StartAsync(Path.Combine(app, "bin", "Debug", "net10.0", "TeamApp.dll"), app,
            new Dictionary<string, string> { ["Luigi:Data:Root"] = Path.Combine(app, "data") }, "/luigi/healthz/ready");
        using var client = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };

        using var script = await client.GetAsync("/luigi/js/dashboard.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("import", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var framework = await client.GetAsync("/luigi/_framework/blazor.web.js");
        Assert.Equal(HttpStatusCode.OK, framework.StatusCode);
        var signIn = await client.GetStringAsync("/luigi/signin");
        Assert.Contains("<base href=\"/luigi/\" />", signIn, StringComparison.Ordinal);
    }

    /// <summary>Runs a program to its end; fails the test, with its output, if it exits non-zero.</summary>
    private static async Task RunAsync(string program, string[] args, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        var (exitCode, output, error) = await HostProcess.RunProgramAsync(program, args, environment, workingDirectory);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', args)} exited {exitCode}\n{output}\n{error}");
    }
}
