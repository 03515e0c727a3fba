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
    public async Task Home_ListsThePipelines()
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);
        await using var host = new LuigiWebFactory(StoreProvider.Sqlite, store.ConnectionString);

        var html = await host.CreateClient().GetStringAsync("/");

        Assert.Contains("<strong>ComplexExample</strong>", html);
        Assert.Contains("<strong>DailySales</strong>", html);
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
