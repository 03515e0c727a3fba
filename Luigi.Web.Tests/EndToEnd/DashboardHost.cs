using System.Net.Http.Headers;
using Luigi.Engine.Storage;
using Luigi.Web.Auth;
using Luigi.Web.Pipelines;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// The real host listening on a loopback port (Kestrel, as in production) on a fresh PostgreSQL database, with
/// 2 workers, the shipped examples and the test pipelines, for a real browser to drive.
/// </summary>
public sealed class DashboardHost : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string> _settings;

    private DashboardHost(string connectionString, IReadOnlyDictionary<string, string>? settings)
    {
        _connectionString = connectionString;
        _settings = settings ?? new Dictionary<string, string>();
        UseKestrel(0);
    }

    /// <summary>Where the browser finds the dashboard, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The first administrator's API token, which every client of <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> sends.</summary>
    public string AdminToken { get; } = ApiTokenFormat.New();

    /// <summary>The host's warnings and errors, for a failing test to say what the host saw.</summary>
    public CapturingLoggerProvider Problems { get; } = new();

    /// <summary>Hears every committed change of this host's executor.</summary>
    public TaskChangeWaiter Changes { get; } = new();

    /// <summary>Starts a host on a fresh database; <paramref name="settings"/> add to or replace the host's settings.</summary>
    public static async Task<DashboardHost> StartAsync(PostgresServer postgres, IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = new DashboardHost(await postgres.CreateDatabaseAsync(), settings);
        host.StartServer();
        host.BaseUrl = host.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        return host;
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Luigi:Auth:BootstrapAdmin:ApiToken", AdminToken);
        builder.UseSetting(LuigiWebSetup.ExamplesSetting, "true"); // the dashboard tests run the examples
        builder.UseSetting("Luigi:Store:Provider", nameof(StoreProvider.Postgres));
        builder.UseSetting("ConnectionStrings:Luigi", _connectionString);
        builder.UseSetting("Luigi:Executor:PollInterval", "00:00:00.050");
        builder.UseSetting("Luigi:Executor:HeartbeatInterval", "00:00:00.200");
        builder.UseSetting("Luigi:Engine:Workers", "2");
        // No schedule fires on its own (DailySales's at 06:00 UTC would land in whichever test runs then); a test of the
        // ticker turns it on.
        builder.UseSetting("Luigi:Schedules:Enabled", "false");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(Problems);
            logging.AddFilter<CapturingLoggerProvider>(level => level >= LogLevel.Warning);
        });
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<IRunObserver>(Changes);
            services.AddLuigiPipelines(typeof(CountingPipeline).Assembly);
        });
    }
}
