using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Hosting;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// What a team does on its first day, from an empty folder and the packed packages alone (no reference into this
/// repository): install the template, make a solution with <c>dotnet new luigi</c>, build it, run its tests, serve its
/// host (as <c>dotnet run</c> does: Development, its build's static files), and run its pipeline on that host with the <c>luigi</c> tool and in memory with the tool alone.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed partial class TemplateTests(PackedPackages packages) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-template-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task DotnetNewLuigi_MakesASolutionThatBuildsTestsAndRunsItsPipeline_FromThePackagesAlone()
    {
        var hive = Path.Combine(_scratch, "template-hive"); // a template store of the test's own, not the user's
        var solution = Path.Combine(_scratch, "Contoso.Nightly");
        await packages.RunAsync("dotnet", ["new", "install", packages.PackageOf("Luigi.Templates"), "--debug:custom-hive", hive], _scratch);
        await packages.RunAsync("dotnet", ["new", "luigi", "-n", "Contoso.Nightly", "-o", solution, "--debug:custom-hive", hive], _scratch);
        var feed = await packages.WriteNuGetConfigAsync(_scratch); // above the solution: its restore finds it there

        // Built with only the .NET SDK on the PATH: no Node.js or npm, as on a team's build machine (the dashboard's scripts
        // come built inside Luigi.AspNetCore).
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, "dotnet")).First(File.Exists);
        var sdkOnly = Path.GetDirectoryName(new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath)!;
        Assert.False(File.Exists(Path.Combine(sdkOnly, "node")), $"{sdkOnly} holds node, so the build below could use it.");
        await packages.RunAsync("dotnet", ["build", "Contoso.Nightly.slnx", "-nologo"], solution, new Dictionary<string, string> { ["PATH"] = sdkOnly });
        var tests = await packages.RunAsync("dotnet", ["test", "Contoso.Nightly.slnx", "--no-build", "-nologo"], solution);

        Assert.Matches(PassedTwo(), tests); // the generated tests ran the pipeline in memory, and passed
        Assert.Contains("Luigi.Engine", await File.ReadAllTextAsync(Path.Combine(solution, "src", "Contoso.Nightly.Pipelines", "Contoso.Nightly.Pipelines.csproj")));
        Assert.DoesNotContain("ProjectReference Include=\"..\\..\\..", await File.ReadAllTextAsync(Path.Combine(solution, "src", "Contoso.Nightly.Host", "Contoso.Nightly.Host.csproj")));

        var tools = Path.Combine(_scratch, "tools");
        await packages.RunAsync("dotnet", ["tool", "install", "Luigi.Web", "--version", packages.Version, "--tool-path", tools, "--configfile", feed], _scratch);
        var luigi = Path.Combine(tools, "luigi");
        var token = ApiTokenFormat.New();
        var hostFolder = Path.Combine(solution, "src", "Contoso.Nightly.Host");
        await using var host = await AppProcess.StartAsync(Path.Combine(hostFolder, "bin", "Debug", "net10.0", "Contoso.Nightly.Host.dll"), hostFolder,
            new Dictionary<string, string> { ["Luigi:Auth:BootstrapAdmin:ApiToken"] = token }, "/luigi/healthz/ready");
        using var api = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(host.BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var triggered = await packages.RunAsync(luigi, ["trigger", "NightlySales", "--param", "date=2026-12-01", "--server", host.BaseUrl + "/luigi", "--wait"], _scratch,
            new Dictionary<string, string> { ["LUIGI_TOKEN"] = token });

        Assert.Contains("of NightlySales: Succeeded", triggered, StringComparison.Ordinal);
        Assert.Contains("Sign in at /luigi/signin", host.Tail, StringComparison.Ordinal); // the first start's one-time password says where, under the prefix
        var report = Path.Combine(hostFolder, "data", "reports", "sales-2026-12-01.txt");
        Assert.StartsWith("2026-12-01: 100 orders, total ", await File.ReadAllTextAsync(report));
        Assert.Equal(HttpStatusCode.Redirect, (await api.GetAsync("/")).StatusCode); // the team's own endpoint, outside Luigi's prefix
        using var pipelines = await api.GetAsync("/luigi/api/pipelines");
        Assert.Contains("\"NightlySales\"", await pipelines.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var script = await api.GetAsync("/luigi/js/dashboard.js"); // from the package, under the prefix
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("import", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var framework = await api.GetAsync("/luigi/_framework/blazor.web.js");
        Assert.Equal(HttpStatusCode.OK, framework.StatusCode);
        Assert.Contains("<base href=\"/luigi/\" />", await api.GetStringAsync("/luigi/signin"), StringComparison.Ordinal);

        var pipelinesAssembly = Path.Combine(solution, "src", "Contoso.Nightly.Pipelines", "bin", "Debug", "net10.0", "Contoso.Nightly.Pipelines.dll");
        var work = Directory.CreateDirectory(Path.Combine(_scratch, "work")).FullName;
        var run = await packages.RunAsync(luigi, ["run", "NightlySales", "--store", "memory", "--param", "date=2026-12-02"], work,
            new Dictionary<string, string> { ["Luigi__Pipelines__Assemblies__0"] = pipelinesAssembly });

        Assert.Contains("ran successfully", run, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(work, "data", "reports", "sales-2026-12-02.txt")), run);
    }

    [GeneratedRegex(@"Passed:\s+2\b")]
    private static partial Regex PassedTwo();
}
