using Luigi.Web.Tests.EndToEnd;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// Single sign-on in a real Chromium over plain http: the sign-in page's button goes through the provider (a redirect
/// after a form's submission, which the policy's <c>form-action</c> governs, and the provider's form_post back, which
/// needs the correlation and nonce cookies) and lands signed in on the page first asked for, with no policy violation.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OidcBrowserTests(ChromiumBrowser chromium, PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private OidcTestHost? _oidc;

    private OidcTestHost Oidc => _oidc ?? throw new InvalidOperationException("The host is not started.");

    public async Task InitializeAsync() => _oidc = await OidcTestHost.StartAsync(postgres, interactive: true);

    public async Task DisposeAsync()
    {
        await chromium.ClosePagesAsync();
        if (_oidc is not null)
        {
            await _oidc.DisposeAsync();
        }
    }

    [Fact]
    public async Task SignInWithTheProvider_LandsSignedInOnTheDashboard()
    {
        Oidc.Idp.NextSignIn = "olga";
        var page = await chromium.NewPageAsync(Oidc.BaseUrl); // no cookies: nobody is signed in
        var watch = await PageWatch.StartAsync(page);

        await page.GotoAsync("/runs");
        await page.WaitForURLAsync("**/signin?*");
        await page.GetByTestId("signin-oidc").ClickAsync();

        try
        {
            await page.WaitForURLAsync($"{Oidc.BaseUrl}/runs", new() { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Stuck at {page.Url}; violations: {string.Join(" | ", watch.Violations)}; errors: {string.Join(" | ", watch.Errors)}; " +
                $"cookies: {string.Join(", ", (await page.Context.CookiesAsync()).Select(c => $"{c.Name} SameSite={c.SameSite} Secure={c.Secure}"))}; " +
                $"page: {await page.ContentAsync()}");
        }

        await page.Locator(".shell[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("nav-runs")).ToBeVisibleAsync();
        Assert.Contains(await page.Context.CookiesAsync(), c => c.Name == TestUsers.SessionCookieName);
        Assert.Equal(1, Oidc.Idp.TokenRequests);
        watch.AssertClean();
    }
}
