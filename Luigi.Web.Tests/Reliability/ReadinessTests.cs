using System.Net;
using System.Text.Json;
using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Hosting;
using Luigi.Web.Reliability;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Reliability;

/// <summary><c>/healthz</c> is liveness only; <c>/healthz/ready</c> checks the store (answers, migrated) and the executor (beats).</summary>
public sealed class ReadinessTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Ready_AnswersHealthy_WithTheStoreAndTheExecutorChecked(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        await using var host = new LuigiWebFactory(provider, store.ConnectionString);
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = null; // health checks come from nobody

        var response = await client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        var checks = report.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("executor").GetProperty("status").GetString());
        Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task StoreCheck_IsUnhealthy_WhenMigrationsAreNotApplied()
    {
        var file = Path.Combine(Path.GetTempPath(), $"luigi-test-{Guid.NewGuid():N}.db");
        try
        {
            var store = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Sqlite, ConnectionString = $"Data Source={file};Pooling=False" });

            var result = await new StoreHealthCheck(store).CheckHealthAsync(new HealthCheckContext());

            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.Contains("migrations to apply", result.Description);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task StoreCheck_IsUnhealthy_WhenPostgresCannotBeReached()
    {
        var store = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = OnAClosedPort(postgres.AdminConnectionString) });

        var result = await new StoreHealthCheck(store).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("unreachable", result.Description);
    }

    [Fact]
    public async Task ExecutorCheck_IsUnhealthy_OnceTheHeartbeatIsOlderThanTheLease()
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = StoreFactory.FastOptions();
        var executor = new StoreExecutor(store, StoreFactory.Pipelines, new LuigiEngineOptions { Workers = 1 }, options, time);
        var hosted = new ExecutorHostedService(store, new StoreOptions(), executor, NullLogger<ExecutorHostedService>.Instance);
        var check = new ExecutorHealthCheck(store, executor, options, hosted, time);
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status); // not registered yet

        await executor.RegisterAsync();
        time.Advance(options.Lease);
        var fresh = await check.CheckHealthAsync(new HealthCheckContext());
        time.Advance(TimeSpan.FromSeconds(1));
        var stale = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, fresh.Status);
        Assert.Equal(HealthStatus.Unhealthy, stale.Status);
        Assert.Contains("longer than its lease", stale.Description);
    }

    /// <summary>The credentials of <paramref name="connectionString"/> on a loopback port nothing listens on.</summary>
    private static string OnAClosedPort(string connectionString)
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = port, Timeout = 3 }.ConnectionString;
    }
}
