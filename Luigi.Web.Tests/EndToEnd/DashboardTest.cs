using System.Text.RegularExpressions;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// An end-to-end test class: the real host on a fresh PostgreSQL database for the class, pages of the shared
/// Chromium, and the pages closed before the host stops (an open page would go on reconnecting, in the browser the
/// next tests share, to a host that is gone or to the next one on a reused port).
/// </summary>
public abstract partial class DashboardTest(ChromiumBrowser chromium, PostgresServer postgres) : IAsyncLifetime
{
    private DashboardHost? _host;

    protected ChromiumBrowser Chromium => chromium;

    protected DashboardHost Host => _host ?? throw new InvalidOperationException("The host is not started.");

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync(postgres);

    public async Task DisposeAsync()
    {
        await chromium.ClosePagesAsync();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>A fresh page on the host, or on <paramref name="baseUrl"/> (a proxy in front of it).</summary>
    protected Task<IPage> NewPageAsync(string? baseUrl = null) => chromium.NewPageAsync(baseUrl ?? Host.BaseUrl);

    /// <summary>The address of a run's page.</summary>
    [GeneratedRegex(@"/runs/[0-9a-f-]{36}$")]
    protected static partial Regex RunUrl();
}
