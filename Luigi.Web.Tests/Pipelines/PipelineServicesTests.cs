using Luigi.Engine.Events;
using Luigi.Engine.ReadModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Execution;
using Luigi.Engine.Storage;
using Luigi.Web.Api;
using Luigi.Web.Pipelines;
using Luigi.Web.Tests.Auth;
using Luigi.Web.Tests.Cli;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Pipelines;

/// <summary>
/// A team's pipeline gets the host's services: samples/Acme.Pipelines's SupplierPrices takes an IHttpClientFactory in its
/// constructor and fetches a price list from a real HTTP server on loopback, with the HTTP client its assembly registers
/// (<c>IPipelineServices</c>); its task's ILogger lines land in its attempt's log; its source comes from
/// <c>Luigi:Pipelines:SupplierPrices:Parameters:source</c>.
/// </summary>
public sealed class PipelineServicesTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-services-").FullName;
    private WebApplication? _supplier;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _callers = new(); // the User-Agent of each request
    private string _priceList = "";

    public async Task InitializeAsync()
    {
        var builder = LoopbackApp.CreateBuilder();
        _supplier = builder.Build();
        _supplier.MapGet("/prices.csv", (HttpRequest request) =>
        {
            _callers.Enqueue(request.Headers.UserAgent.ToString());
            return Results.Text("sku,price\nbolt-m6,0.12\nnut-m6,0.05\nhinge-40,2.80\n", "text/csv");
        });
        _supplier.MapGet("/not-prices", () => Results.Text("<html>maintenance</html>", "text/html"));
        _priceList = await LoopbackApp.StartAsync(_supplier) + "/prices.csv";
    }

    public async Task DisposeAsync()
    {
        await _supplier!.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }

    [Fact]
    public async Task WebHost_RunsAPipelineWithServices_KeepingItsLoggerLinesWithTheAttempt_AndShowsTheConfiguredDefault()
    {
        await using var host = await StartAsync(("Luigi:Pipelines:SupplierPrices:Parameters:source", _priceList));
        var client = host.CreateClient();

        var pipeline = (await client.GetFromJsonAsync<PipelineDto>("/api/pipelines/SupplierPrices", Json))!;
        var source = Assert.Single(pipeline.Parameters, p => p.Name == "source");
        Assert.Equal((_priceList, false), (source.Default, source.Required));

        var response = await client.PostAsJsonAsync("/api/pipelines/SupplierPrices/runs", new { parameters = new { date = "2026-11-26", dataDir = _scratch } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<RunAccepted>(Json))!;
        Assert.Equal(RunState.Succeeded, await host.Services.GetRequiredService<StoreExecutor>().WaitForRunAsync(accepted.Id).WaitAsync(Guard));

        Assert.Equal(["sku,price", "bolt-m6,0.12", "nut-m6,0.05", "hinge-40,2.80"], await File.ReadAllLinesAsync(Path.Combine(_scratch, "prices", "2026-11-26.csv")));
        var run = (await client.GetFromJsonAsync<RunDetail>(accepted.Url, Json))!;
        Assert.Equal(_priceList, run.Parameters["source"]);
        var task = Assert.Single(run.Tasks);
        var detail = (await client.GetFromJsonAsync<TaskDetail>($"{accepted.Url}/tasks/{task.Index}", Json))!;
        Assert.Contains($"Fetched 3 prices for 2026-11-26 from {_priceList}.", Assert.Single(detail.Attempts).Log!.Select(l => l.Message));
        Assert.Equal(["Acme.Pipelines/1.0"], _callers); // the client the plugin registered (AcmeServices)
    }

    [Fact]
    public async Task WebHost_FailsTheTask_WhenTheSourceIsNoPriceList_AndSaysWhy()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var notPrices = _priceList.Replace("/prices.csv", "/not-prices", StringComparison.Ordinal);

        var response = await client.PostAsJsonAsync("/api/pipelines/SupplierPrices/runs",
            new { parameters = new { date = "2026-11-26", dataDir = _scratch, source = notPrices } });
        var accepted = (await response.Content.ReadFromJsonAsync<RunAccepted>(Json))!;

        Assert.Equal(RunState.Failed, await host.Services.GetRequiredService<StoreExecutor>().WaitForRunAsync(accepted.Id).WaitAsync(Guard));
        var task = Assert.Single((await client.GetFromJsonAsync<RunDetail>(accepted.Url, Json))!.Tasks);
        var detail = (await client.GetFromJsonAsync<TaskDetail>($"{accepted.Url}/tasks/{task.Index}", Json))!;
        Assert.Contains($"{notPrices} is no price list: it should start with 'sku,price'.", detail.Error);
        Assert.False(Directory.Exists(Path.Combine(_scratch, "prices")));
    }

    [Fact]
    public async Task CliMemoryRun_GivesThePipelineItsServices_AndPrintsTheTaskLoggerLines()
    {
        var environment = TeamPipelines.Listing(TeamPipelines.AssemblyPath);
        environment["Luigi__Pipelines__SupplierPrices__Parameters__source"] = _priceList;

        var (exitCode, output, error) = await HostProcess.RunAsync(
            ["run", "SupplierPrices", "--store", "memory", "--param", "date=2026-11-26", "--param", $"dataDir={_scratch}"], environment);

        Assert.True(exitCode == 0, output + error);
        Assert.Contains($"Fetched 3 prices for 2026-11-26 from {_priceList}.", output);
        Assert.Equal(4, (await File.ReadAllLinesAsync(Path.Combine(_scratch, "prices", "2026-11-26.csv"))).Length);
        Assert.Equal(["Acme.Pipelines/1.0"], _callers);
    }

    [Theory]
    [InlineData("Luigi__Pipelines__SupplierPrices__Parameters__date", "26/11/2026",
        "error: The setting Luigi:Pipelines:SupplierPrices:Parameters is wrong: Parameter 'date' expects a date like 2026-11-26 (yyyy-MM-dd); got '26/11/2026'")]
    [InlineData("Luigi__Pipelines__SupplierPrices__Parameters__sourse", "http://localhost/",
        "error: The setting Luigi:Pipelines:SupplierPrices:Parameters is wrong: Unknown parameter 'sourse' for SupplierPrices; valid parameters: dataDir, date, source.")]
    [InlineData("Luigi__Pipelines__SuplierPrices__Parameters__source", "http://localhost/",
        "error: The setting Luigi:Pipelines:SuplierPrices:Parameters is wrong: Unknown pipeline 'SuplierPrices'.")]
    public async Task Cli_ExitsWithAUsageErrorNamingTheSetting_WhenAConfiguredDefaultDoesNotFit(string variable, string value, string message)
    {
        var environment = TeamPipelines.Listing(TeamPipelines.AssemblyPath);
        environment[variable] = value;

        var (exitCode, output, error) = await HostProcess.RunAsync(["list"], environment);

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains(message, error);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task WebHost_DoesNotStart_WhenAPipelineNeedsAServiceThatIsNotRegistered_NamingTypeAssemblyAndService()
    {
        await using var host = (await StartAsync()).WithWebHostBuilder(builder =>
            builder.ConfigureServices(services => services.AddLuigiPipeline<NeedsAClock>()));

        var exception = Assert.Throws<PipelineActivationException>(() => host.CreateClient());

        Assert.Equal(
            $"Pipeline {typeof(NeedsAClock).FullName} (assembly Luigi.Web.Tests) cannot be created: its constructor needs " +
            $"{typeof(IWarehouseClock).FullName}, which is not registered as a service.", exception.Message);
    }

    private async Task<WebApplicationFactory<Program>> StartAsync(params (string Key, string Value)[] settings)
    {
        var host = new LuigiWebFactory(StoreProvider.Postgres, await postgres.CreateDatabaseAsync());
        return host.WithWebHostBuilder(builder =>
        {
            builder.UseSetting(PipelineAssemblyLoader.Setting + ":0", TeamPipelines.AssemblyPath);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
    }

    [Fact]
    public async Task WebHost_OffersAPipelineWhoseServiceTheTeamRegistered()
    {
        await using var host = (await StartAsync()).WithWebHostBuilder(builder => builder.ConfigureServices(services =>
            services.AddSingleton<IWarehouseClock, WarehouseClock>().AddLuigiPipeline<NeedsAClock>()));

        var pipelines = await host.CreateClient().GetFromJsonAsync<List<PipelineDto>>("/api/pipelines", Json);

        Assert.Contains(pipelines!, p => p.Name == nameof(NeedsAClock));
        Assert.IsType<WarehouseClock>(((NeedsAClock)host.Services.GetRequiredService<PipelineRegistry>().Create(nameof(NeedsAClock), [])).Clock);
    }

    /// <summary>A service no host registers unless a test does.</summary>
    internal interface IWarehouseClock;

    private sealed class WarehouseClock : IWarehouseClock;

    /// <summary>A pipeline of a team's host whose constructor needs <see cref="IWarehouseClock"/>; not public, so that the
    /// hosts that offer every pipeline of this assembly do not see it.</summary>
    internal sealed class NeedsAClock(IWarehouseClock clock) : Pipeline
    {
        public IWarehouseClock Clock { get; } = clock;

        public override IEnumerable<LuigiTask> Roots() => [];
    }
}
