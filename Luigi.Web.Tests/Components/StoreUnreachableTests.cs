using System.Net;
using System.Net.Sockets;
using Bunit;
using Luigi.Engine.Storage;
using Luigi.Web.Components.Layout;
using Luigi.Web.Components.Pages;
using Microsoft.AspNetCore.Components;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Tests.Components;

/// <summary>A page whose store cannot be reached says so, instead of failing the whole circuit.</summary>
public sealed class StoreUnreachableTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private DashboardHarness _h = default!;

    public async Task InitializeAsync() => _h = await DashboardHarness.CreateAsync(new RunReader(LuigiStore.Create(new StoreOptions
    {
        Provider = StoreProvider.Postgres, ConnectionString = $"Host=127.0.0.1;Port={ClosedPort()};Username=luigi;Timeout=3",
    })));

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public void Overview_SaysTheStoreIsUnreachable_WhenItsDatabaseDoesNotAnswer()
    {
        var layout = _h.Context.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b =>
        {
            b.OpenComponent<OverviewPage>(0);
            b.CloseComponent();
        })));

        var notice = layout.WaitForElement("[data-testid=store-unreachable]", Wait);
        Assert.Contains("The store is unreachable", notice.TextContent);
        Assert.NotNull(layout.Find("[data-testid=store-retry]"));
        Assert.NotNull(layout.Find("[data-testid=nav-runs]")); // the rest of the dashboard still works
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
