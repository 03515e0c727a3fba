using System.IO.Compression;
using System.Net;
using Luigi.Web.Tests.Hosting;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// Luigi.AspNetCore packs as a library with the dashboard's built scripts inside: a team's app that references the package
/// (not the project), built where no Node.js build of the dashboard runs, serves them under its prefix.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class LibraryPackageTests(PackedPackages packages) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-library-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task TeamApp_ReferencingThePackage_ServesTheDashboardScripts_UnderItsPrefix()
    {
        using (var package = ZipFile.OpenRead(packages.PackageOf("Luigi.AspNetCore")))
        {
            var entries = package.Entries.Select(entry => entry.FullName).ToHashSet();
            Assert.Contains("staticwebassets/js/dashboard.js", entries);
            Assert.Contains("staticwebassets/_framework/blazor.web.js", entries);
            Assert.Contains("staticwebassets/css/app.css", entries);
        }

        var app = Directory.CreateDirectory(Path.Combine(_scratch, "app")).FullName;
        await packages.WriteNuGetConfigAsync(app);
        await File.WriteAllTextAsync(Path.Combine(app, "TeamApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
              <ItemGroup><PackageReference Include="Luigi.AspNetCore" Version="{packages.Version}" /></ItemGroup>
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
        await packages.RunAsync("dotnet", ["build", "-c", "Debug"], app, new Dictionary<string, string> { ["PATH"] = dotnet });
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
}
