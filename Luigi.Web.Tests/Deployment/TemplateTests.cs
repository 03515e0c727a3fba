using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// What a team does on its first day, from an empty folder and the packed packages alone (no reference into this
/// repository): install the template, make a solution with <c>dotnet new luigi</c>, build it, run its tests, serve its
/// host, and run its pipeline on that host with the <c>luigi</c> tool and in memory with the tool alone.
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

        await packages.RunAsync("dotnet", ["build", "Contoso.Nightly.slnx", "-nologo"], solution);
        var tests = await packages.RunAsync("dotnet", ["test", "Contoso.Nightly.slnx", "--no-build", "-nologo"], solution);

        Assert.Matches(PassedTwo(), tests); // the generated tests ran the pipeline in memory, and passed
        Assert.Contains("Luigi.Engine", await File.ReadAllTextAsync(Path.Combine(solution, "src", "Contoso.Nightly.Pipelines", "Contoso.Nightly.Pipelines.csproj")));
        Assert.DoesNotContain("ProjectReference Include=\"..\\..\\..", await File.ReadAllTextAsync(Path.Combine(solution, "src", "Contoso.Nightly.Host", "Contoso.Nightly.Host.csproj")));

        var tools = Path.Combine(_scratch, "tools");
        await packages.RunAsync("dotnet", ["tool", "install", "Luigi.Web", "--version", packages.Version, "--tool-path", tools, "--configfile", feed], _scratch);
        var luigi = Path.Combine(tools, "luigi");
        var token = ApiTokenFormat.New();
        await using var host = await GeneratedHost.StartAsync(Path.Combine(solution, "src", "Contoso.Nightly.Host"), token, packages.NuGetEnvironment);

        var triggered = await packages.RunAsync(luigi, ["trigger", "NightlySales", "--param", "date=2026-12-01", "--server", host.Prefix, "--wait"], _scratch,
            new Dictionary<string, string> { ["LUIGI_TOKEN"] = token });

        Assert.Contains("of NightlySales: Succeeded", triggered, StringComparison.Ordinal);
        var report = Path.Combine(solution, "src", "Contoso.Nightly.Host", "data", "reports", "sales-2026-12-01.txt");
        Assert.StartsWith("2026-12-01: 100 orders, total ", await File.ReadAllTextAsync(report));
        Assert.Equal(HttpStatusCode.Redirect, (await host.GetAsync("/")).StatusCode); // the team's own endpoint, outside Luigi's prefix
        using var pipelines = await host.GetAsync("/luigi/api/pipelines");
        Assert.Contains("\"NightlySales\"", await pipelines.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var pipelinesAssembly = Path.Combine(solution, "src", "Contoso.Nightly.Pipelines", "bin", "Debug", "net10.0", "Contoso.Nightly.Pipelines.dll");
        var work = Directory.CreateDirectory(Path.Combine(_scratch, "work")).FullName;
        var run = await packages.RunAsync(luigi, ["run", "NightlySales", "--store", "memory", "--param", "date=2026-12-02"], work,
            new Dictionary<string, string> { ["Luigi__Pipelines__Assemblies__0"] = pipelinesAssembly });

        Assert.Contains("ran successfully", run, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(work, "data", "reports", "sales-2026-12-02.txt")), run);
    }

    [GeneratedRegex(@"Passed:\s+2\b")]
    private static partial Regex PassedTwo();

    /// <summary>The generated host, run with <c>dotnet run</c> from its folder on a loopback port, its dashboard under <c>/luigi</c>.</summary>
    private sealed class GeneratedHost : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http;
        private readonly List<string> _output = [];

        private GeneratedHost(Process process, string baseUrl, string token)
        {
            _process = process;
            _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Prefix = baseUrl + "/luigi";
        }

        public string Prefix { get; }

        public static async Task<GeneratedHost> StartAsync(string project, string token, IReadOnlyDictionary<string, string> environment)
        {
            var baseUrl = $"http://127.0.0.1:{LoopbackPort.Free()}";
            var start = new ProcessStartInfo("dotnet", ["run", "--no-build", "--no-launch-profile"])
            {
                WorkingDirectory = project,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            start.Environment["ASPNETCORE_URLS"] = baseUrl;
            start.Environment["Luigi__Auth__BootstrapAdmin__ApiToken"] = token;
            var process = Process.Start(start)!;
            var host = new GeneratedHost(process, baseUrl, token);
            process.OutputDataReceived += (_, line) => host.Keep(line.Data);
            process.ErrorDataReceived += (_, line) => host.Keep(line.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await host.WaitForApiAsync();
            return host;
        }

        public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

        private void Keep(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.Add(line);
                }
            }
        }

        private string Tail()
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(40));
            }
        }

        /// <summary>Until the API under the prefix answers the token (the store is migrated and the admin made), within 90 s.</summary>
        private async Task WaitForApiAsync()
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The generated host exited with status {_process.ExitCode}:\n{Tail()}");
                }

                try
                {
                    using var response = await _http.GetAsync("/luigi/api/pipelines");
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    // not listening yet
                }

                Assert.True(DateTime.UtcNow < deadline, $"The generated host's API did not answer within 90 s:\n{Tail()}");
                await Task.Delay(200);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
