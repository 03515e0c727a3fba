using System.Net;
using System.Text.Json;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Email;
using Luigi.Web.Tests.EndToEnd;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Luigi.Web.Tests.Reliability;

/// <summary>
/// The API and the health endpoints while PostgreSQL cannot be reached, and after it is back: the host talks to the
/// database through a TCP proxy that drops every connection and refuses new ones, as a stopped server does, or the
/// server itself terminates every connection of the database (57P01), as a restart does.
/// </summary>
public sealed class StoreOutageApiTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Api_Answers503WithRetryAfter_WhileTheStoreIsUnreachable_AndServesTheFirstRequestAfterItIsBack()
    {
        var database = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        await using var proxy = new DroppingProxy($"http://{database.Host}:{database.Port}");
        var proxied = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = new Uri(proxy.BaseUrl).Port };
        await using var host = new LuigiWebFactory(StoreProvider.Postgres, proxied.ConnectionString);
        var client = host.CreateClient();
        var probe = host.CreateClient();
        probe.DefaultRequestHeaders.Authorization = null; // health checks come from nobody
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs")).StatusCode); // the pools now hold connections
        await Eventually.Async(() => probe.GetAsync("/healthz/ready"), r => r.StatusCode == HttpStatusCode.OK, Guard);

        proxy.Drop();

        var down = await client.GetAsync("/api/runs");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), down.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        using (var problem = JsonDocument.Parse(await down.Content.ReadAsStringAsync()))
        {
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("The store is unreachable", problem.RootElement.GetProperty("title").GetString());
        }

        var trigger = await client.PostAsync("/api/pipelines/Sequence/runs", JsonContent("{}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, trigger.StatusCode);
        var ready = await probe.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var readiness = await ready.Content.ReadAsStringAsync();
        using (var report = JsonDocument.Parse(readiness))
        {
            Assert.True(report.RootElement.TryGetProperty("checks", out var checks), readiness);
            Assert.Equal("Unhealthy", checks.GetProperty("store").GetProperty("status").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/healthz")).StatusCode); // liveness: the process is fine

        proxy.Restore();

        // Every pooled connection was cut: none of them is handed out again to fail the first requests.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/pipelines")).StatusCode);
        await Eventually.Async(() => probe.GetAsync("/healthz/ready"), r => r.StatusCode == HttpStatusCode.OK, Guard);
    }

    [Fact]
    public async Task Api_ServesTheFirstRequests_AfterTheServerTerminatedEveryConnection()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var host = new LuigiWebFactory(StoreProvider.Postgres, connectionString);
        var client = host.CreateClient();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs")).StatusCode)));

        var terminated = await TerminateConnectionsAsync(new NpgsqlConnectionStringBuilder(connectionString).Database!);

        Assert.True(terminated > 0, "the host held no connection to terminate");
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetAsync("/api/runs")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task Dashboard_SaysTheStoreIsUnreachable_WhileItIs()
    {
        var database = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        await using var proxy = new DroppingProxy($"http://{database.Host}:{database.Port}");
        var proxied = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = new Uri(proxy.BaseUrl).Port };
        await using var host = new LuigiWebFactory(StoreProvider.Postgres, proxied.ConnectionString)
            .WithWebHostBuilder(b => b.UseSetting("Luigi:Auth:AllowAnonymousViewers", "true"));
        var browser = host.CreateClient();
        browser.DefaultRequestHeaders.Authorization = null;
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        Assert.Contains("<h1>Status</h1>", await browser.GetStringAsync("/"));

        proxy.Drop();

        var page = await browser.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"store-unreachable\"", html);
        Assert.Contains("The store is unreachable", html);
        Assert.DoesNotContain("<h1>Status</h1>", html);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode); // the page, with the notice in place of its content

        proxy.Restore();

        Assert.Contains("<h1>Status</h1>", await browser.GetStringAsync("/"));
    }

    private async Task<int> TerminateConnectionsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(postgres.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @database AND pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue("database", database);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
