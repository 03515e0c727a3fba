using System.Net;
using Luigi.Engine.Storage;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Hosting;

/// <summary>An executor-only host works on runs but serves nothing over HTTP except its health.</summary>
public sealed class HostRoleTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task ExecutorRole_RunsWorkQueuedElsewhere_AndServesOnlyItsHealth()
    {
        await using var factory = new LuigiWebFactory(StoreProvider.Postgres, await postgres.CreateDatabaseAsync());
        await using var executorOnly = factory.WithWebHostBuilder(builder => builder.UseSetting("Luigi:Host:Role", "Executor"));
        var client = executorOnly.CreateClient();
        client.DefaultRequestHeaders.Authorization = null; // as the container's health check: nobody

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode); // the compose health check
        foreach (var path in new[] { "/", "/api/pipelines", "/api/runs", "/api/email/status", "/openapi/v1.json", "/metrics" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(path)).StatusCode);
        }

        var executor = executorOnly.Services.GetRequiredService<StoreExecutor>();
        var runId = await executor.EnqueueAsync(new RunRequest("Sequence", new Dictionary<string, string> { ["delayMs"] = "0" }, RunTrigger.Cli, null));
        Assert.Equal(RunState.Succeeded, await executor.WaitForRunAsync(runId).WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task AnExecutorStartingFirst_MakesNoAdministrator_SoTheDashboardHostsPasswordIsTheOne()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var executorFactory = new LuigiWebFactory(StoreProvider.Postgres, database);
        await using var executorOnly = executorFactory.WithWebHostBuilder(builder => builder.UseSetting("Luigi:Host:Role", "Executor"));
        _ = executorOnly.Server;
        await using (var scope = executorOnly.Services.CreateAsyncScope())
        {
            Assert.Empty(scope.ServiceProvider.GetRequiredService<UserManager<LuigiUser>>().Users);
        }

        await using var webFactory = new LuigiWebFactory(StoreProvider.Postgres, database);
        await using var web = webFactory.WithWebHostBuilder(builder => builder.UseSetting("Luigi:Auth:BootstrapAdmin:Password", "the dashboard host's password"));
        _ = web.Server;
        await using var webScope = web.Services.CreateAsyncScope();
        var users = webScope.ServiceProvider.GetRequiredService<UserManager<LuigiUser>>();
        var admin = Assert.Single(users.Users);
        Assert.True(await users.CheckPasswordAsync(admin, "the dashboard host's password"));
        Assert.False(admin.MustChangePassword);
    }

    [Fact]
    public void UnknownRole_StopsTheHost_NamingTheSettingAndTheChoices()
    {
        using var factory = new LuigiWebFactory(StoreProvider.Sqlite, $"Data Source={Path.Combine(Path.GetTempPath(), $"luigi-test-{Guid.NewGuid():N}.db")}")
            .WithWebHostBuilder(builder => builder.UseSetting("Luigi:Host:Role", "Dashboard"));

        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());

        Assert.Equal("Luigi:Host:Role is 'Dashboard': use All (executor, dashboard and API) or Executor (executor only).", error.Message);
    }
}
