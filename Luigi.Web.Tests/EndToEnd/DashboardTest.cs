using System.Text.RegularExpressions;
using Luigi.Engine.Execution;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>The Operator whose session the pages of <see cref="NewPageAsync"/> hold.</summary>
    protected const string OperatorName = "olga";

    /// <summary>
    /// A fresh page on the host, or on <paramref name="baseUrl"/> (a proxy in front of it), signed in as
    /// <paramref name="userName"/> with <paramref name="role"/> (an Operator by default; nobody when the role is null).
    /// </summary>
    protected async Task<IPage> NewPageAsync(string? baseUrl = null, string userName = OperatorName, string? role = LuigiRoles.Operator)
    {
        baseUrl ??= Host.BaseUrl;
        if (role is null)
        {
            return await chromium.NewPageAsync(baseUrl);
        }

        var session = await TestUsers.SessionCookieAsync(Host.Services, userName, role);
        return await chromium.NewPageAsync(baseUrl, [new Cookie { Name = TestUsers.SessionCookieName, Value = session, Url = baseUrl }]);
    }

    /// <summary>
    /// Waits for the run page a trigger or re-run opens (other than <paramref name="except"/>); when it does not open,
    /// fails with what the page shows (its address, a form error, Blazor's error or reconnect banner) and what the host
    /// logged as a warning or error, so that a failure in CI says why.
    /// </summary>
    protected async Task WaitForRunPageAsync(IPage page, string? except = null)
    {
        try
        {
            await page.WaitForURLAsync(url => RunUrl().IsMatch(url) && url != except, new() { Timeout = 60_000 });
        }
        catch (TimeoutException timeout)
        {
            var shown = await page.EvaluateAsync<string>("""
                () => [
                  'form error: ' + (document.querySelector('[data-testid=form-error]')?.textContent ?? 'none'),
                  'error banner shown: ' + (getComputedStyle(document.getElementById('blazor-error-ui') ?? document.body).display !== 'none'),
                  'reconnect: ' + (document.getElementById('components-reconnect-modal')?.className ?? 'none'),
                  'interactive: ' + (document.querySelector('.shell')?.dataset.interactive ?? 'no shell'),
                ].join('; ')
                """);
            throw new TimeoutException(
                $"No run page opened from {page.Url} within 60 s ({shown}). The host's warnings and errors:\n" +
                string.Join("\n", Host.Problems.Lines.TakeLast(20)), timeout);
        }
    }

    /// <summary>Queues a run of <paramref name="pipeline"/>, whose gates are those of <paramref name="key"/> (see
    /// <see cref="GatedPipeline"/>), as an API client would.</summary>
    protected Task<Guid> EnqueueGatedAsync(string pipeline, string key) => Host.Services.GetRequiredService<StoreExecutor>()
        .EnqueueAsync(new RunRequest(pipeline, new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api, "tester"));

    /// <summary>The address of a run's page.</summary>
    [GeneratedRegex(@"/runs/[0-9a-f-]{36}$")]
    protected static partial Regex RunUrl();
}
