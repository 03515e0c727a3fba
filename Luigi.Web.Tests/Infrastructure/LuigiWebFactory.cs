using Luigi.Engine.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Infrastructure;

/// <summary>
/// The real web host, in memory, on a store of the test's choosing (a fresh PostgreSQL database or a
/// temporary SQLite file), with short executor intervals so runs finish promptly.
/// </summary>
public sealed class LuigiWebFactory(StoreProvider provider, string connectionString) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Luigi:Store:Provider", provider.ToString());
        builder.UseSetting("ConnectionStrings:Luigi", connectionString);
        builder.UseSetting("Luigi:Executor:PollInterval", "00:00:00.050");
        builder.UseSetting("Luigi:Executor:HeartbeatInterval", "00:00:00.200");
        builder.UseSetting("Luigi:Executor:Lease", "00:00:02");
        builder.UseSetting("Luigi:Engine:Workers", "2");
        builder.ConfigureServices(services =>
        {
            var waiter = new TaskChangeWaiter();
            services.AddSingleton(waiter);
            services.AddSingleton<IStoreObserver>(waiter);
        });
    }
}
