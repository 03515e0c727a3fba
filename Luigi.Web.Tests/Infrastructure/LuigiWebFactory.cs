using System.Net.Http.Headers;
using Luigi.Engine.Storage;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.Infrastructure;

/// <summary>
/// The real web host, in memory, on a store of the test's choosing (a fresh PostgreSQL database or a
/// temporary SQLite file), with short executor intervals so runs finish promptly. Its clients carry the API token of
/// the first administrator (<see cref="AdminToken"/>, given through <c>Luigi:Auth:BootstrapAdmin:ApiToken</c>); a test
/// of access removes or replaces it.
/// </summary>
public sealed class LuigiWebFactory(StoreProvider provider, string connectionString) : WebApplicationFactory<Program>
{
    /// <summary>The first administrator's API token, which every client of this host sends unless told otherwise.</summary>
    public string AdminToken { get; } = ApiTokenFormat.New();

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Luigi:Auth:BootstrapAdmin:ApiToken", AdminToken);
        builder.UseSetting("Luigi:Store:Provider", provider.ToString());
        builder.UseSetting("ConnectionStrings:Luigi", connectionString);
        builder.UseSetting("Luigi:Executor:PollInterval", "00:00:00.050");
        builder.UseSetting("Luigi:Executor:HeartbeatInterval", "00:00:00.200");
        builder.UseSetting("Luigi:Executor:Lease", "00:00:02");
        builder.UseSetting("Luigi:Engine:Workers", "2");
        builder.UseSetting(LuigiWebSetup.ExamplesSetting, "true"); // many tests run the examples
        // No schedule fires on its own (DailySales's at 06:00 UTC would land in whichever test runs then); a test of the
        // ticker turns it on.
        builder.UseSetting("Luigi:Schedules:Enabled", "false");
        builder.ConfigureServices(services =>
        {
            var waiter = new TaskChangeWaiter();
            services.AddSingleton(waiter);
            services.AddSingleton<IRunObserver>(waiter);
        });
    }
}
