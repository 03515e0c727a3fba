using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Luigi.Engine.Execution;
using Luigi.Web.Auth;
using Luigi.Web.Live;
using Luigi.Web.Tests.Deployment;
using Luigi.Web.Tests.EndToEnd;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.Hosting;

/// <summary>
/// A team's own ASP.NET Core app with Luigi inside it (Luigi.HostProbe: <c>AddLuigi</c>, <c>AddLuigiPipeline</c>,
/// <c>MapLuigi("/luigi")</c> and an endpoint of its own at <c>/hello</c>), run as its own process on PostgreSQL and driven
/// in a real Chromium: the dashboard, sign-in, the live hub and the API all live under <c>/luigi</c>, and the team's
/// endpoint answers without Luigi's sign-in.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MountedHostTests(ChromiumBrowser chromium, PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private readonly string _data = Directory.CreateTempSubdirectory("luigi-mounted-").FullName;
    private readonly string _token = ApiTokenFormat.New();
    private AppProcess? _host;
    private string _baseUrl = "";

    public async Task InitializeAsync()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // Debug or Release, as the tests were built
        var probe = RepositoryFiles.PathOf($"Luigi.HostProbe/bin/{configuration}/net10.0/Luigi.HostProbe.dll");
        Assert.True(File.Exists(probe), $"The team host's build is missing at {probe}: build Luigi.Web.sln.");
        _host = await AppProcess.StartAsync(probe, _data, new Dictionary<string, string>
        {
            ["Luigi:Store:Provider"] = "Postgres",
            ["ConnectionStrings:Luigi"] = await postgres.CreateDatabaseAsync(),
            ["Luigi:Data:Root"] = _data,
            ["Luigi:Auth:BootstrapAdmin:Password"] = Password,
            ["Luigi:Auth:BootstrapAdmin:ApiToken"] = _token,
        }, "/luigi/healthz/ready");
        _baseUrl = _host.BaseUrl;
    }

    public async Task DisposeAsync()
    {
        await chromium.ClosePagesAsync();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task TeamEndpoint_AnswersWithoutSignIn_AndTheApiAnswersUnderThePrefix_WithAToken()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(_baseUrl) };
        using var hello = await anonymous.GetAsync("/hello");
        Assert.Equal(HttpStatusCode.OK, hello.StatusCode);
        Assert.Equal("Hello from the team's own endpoint.", await hello.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/luigi/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/runs")).StatusCode); // Luigi is only under its prefix

        using var api = new HttpClient { BaseAddress = new Uri(_baseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        using var runs = await api.GetAsync("/luigi/api/runs");
        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        using var pipelines = JsonDocument.Parse(await api.GetStringAsync("/luigi/api/pipelines"));
        Assert.Contains("NightlyPipeline", pipelines.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_OpensUnderThePrefix_SignsInBackUnderIt_AndATriggeredRunArrivesLive()
    {
        var page = await chromium.NewPageAsync(_baseUrl);
        await page.GotoAsync("/luigi/runs");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/luigi" + AuthSetup.SignInPath);
        await page.GetByTestId("user-name").FillAsync("admin");
        await page.GetByTestId("password").FillAsync(Password);
        await page.GetByTestId("signin").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/luigi/runs");
        await page.Locator(".shell[data-interactive=true]").WaitForAsync(); // the circuit is up under the prefix
        await Assertions.Expect(page.GetByTestId("signed-in-name")).ToHaveTextAsync("admin");
        await Assertions.Expect(page.GetByTestId("nav-pipelines")).ToHaveAttributeAsync("href", "/luigi/pipelines");

        // The page's own hub connection (graphs, timelines) reaches the hub under the prefix.
        await page.EvaluateAsync("async () => { (await import('./js/dashboard.js')).onRuns(() => { }); }");
        await page.WaitUntilAsync("async () => (await import('./js/dashboard.js')).connectionState() === 'Connected'");

        // A program on the hub under the prefix hears the run the API starts, to its end.
        var succeeded = new TaskCompletionSource<LiveRunChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = new HubConnectionBuilder()
            .WithUrl($"{_baseUrl}/luigi{LiveHub.Path}", options => options.AccessTokenProvider = () => Task.FromResult<string?>(_token))
            .AddJsonProtocol(json => json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        hub.On<LiveRunChange[]>("Runs", changes =>
        {
            foreach (var change in changes.Where(c => c.State == RunState.Succeeded))
            {
                succeeded.TrySetResult(change);
            }
        });
        await hub.StartAsync();
        await hub.InvokeAsync("WatchRuns");

        using var api = new HttpClient { BaseAddress = new Uri(_baseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        using var triggered = await api.PostAsJsonAsync("/luigi/api/pipelines/NightlyPipeline/runs", new { parameters = new { } });
        Assert.Equal(HttpStatusCode.Accepted, triggered.StatusCode);
        var runId = JsonDocument.Parse(await triggered.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        Assert.Equal($"/luigi/api/runs/{runId}", triggered.Headers.Location?.OriginalString); // where to read it, under the prefix
        var heard = await succeeded.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(runId, heard.RunId);
        Assert.Equal("NightlyPipeline", heard.Pipeline);

        var link = page.Locator($"a[href='/luigi/runs/{runId}']");
        await link.ClickAsync(); // the runs page shows it live, linked under the prefix
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/luigi/runs/{runId}");
        await Assertions.Expect(page.GetByTestId("run-state").Locator("[data-state]")).ToHaveAttributeAsync("data-state", "Succeeded");

        // The graph's script reads the run's graph from the API under the prefix (relative to the page's base).
        await page.GetByTestId("tab-graph").ClickAsync();
        var graph = page.GetByTestId("graph");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "1");
    }
}
