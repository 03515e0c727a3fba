using System.Net;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Tests;

public sealed class HostTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Fact]
    public async Task Healthz_AnswersHealthy()
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);
        await using var host = new LuigiWebFactory(StoreProvider.Sqlite, store.ConnectionString);

        var response = await host.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Home_ServesTheDashboardWithItsScriptsAndStyles()
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);
        await using var host = new LuigiWebFactory(StoreProvider.Sqlite, store.ConnectionString);
        var client = host.CreateClient();

        var html = await client.GetStringAsync("/");

        Assert.Contains("<h1>Status</h1>", html);
        Assert.Contains("href=\"/pipelines\"", html);
        Assert.Contains("_framework/blazor.web.js", html);
        var css = await client.GetAsync("/css/app.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Contains("--state-failed", await css.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PipelinesPage_ListsThePipelines_AndTheApiStillAnswers()
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);
        await using var host = new LuigiWebFactory(StoreProvider.Sqlite, store.ConnectionString);
        var client = host.CreateClient();

        var html = await client.GetStringAsync("/pipelines");

        Assert.Contains("ComplexExample", html);
        Assert.Contains("DailySales", html);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/pipelines")).StatusCode);
    }

    [Fact]
    public async Task Host_MigratesAnEmptyPostgresDatabaseAndRegistersItselfOnStart()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var host = new LuigiWebFactory(StoreProvider.Postgres, database);

        var response = await host.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var context = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = database }).CreateDbContext();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Single(await context.Hosts.ToListAsync());
    }
}
