using System.Net;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// The dashboard's sign-in at the provider on the real host (Kestrel, PostgreSQL), by an HTTP client acting as the
/// browser: the sign-in page's form (with its antiforgery token), the provider, its form_post back to the host, and the
/// local account found or made, given the provider's role, signed in and sent to the return URL.
/// </summary>
public sealed class OidcSignInTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task SignIn_MakesALinkedAccountWithTheProvidersRole_AndLandsOnTheReturnUrl()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres, interactive: true);
        using var browser = new OidcBrowser(oidc.BaseUrl);
        oidc.Idp.NextSignIn = "olga";

        using (var before = await browser.GetAsync("/runs"))
        {
            Assert.Equal(HttpStatusCode.Redirect, before.StatusCode);
            Assert.Contains("/signin", before.Headers.Location!.OriginalString);
        }

        Assert.Equal("/runs?state=Failed", await browser.SignInAsync("/runs?state=Failed"));

        using (var after = await browser.GetAsync("/runs"))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }

        var account = await AccountAsync(oidc, "olga");
        Assert.Equal("olga@example.com", account.User.UserName);
        Assert.Equal(LuigiRoles.Operator, account.Role);
        Assert.False(account.HasPassword);
        Assert.NotNull(account.User.LastSignInAt);
        Assert.Equal(OidcTestHost.DisplayName, account.Login.ProviderDisplayName);
        // The session is the host's own cookie: the provider's external cookie is gone.
        Assert.DoesNotContain(browser.Cookies.GetAllCookies(), c => c.Name.StartsWith("Identity.External", StringComparison.Ordinal));
        Assert.Contains(browser.Cookies.GetAllCookies(), c => c.Name == TestUsers.SessionCookieName);
    }

    [Fact]
    public async Task SigningOut_OfASessionBegunAtTheProvider_SignsOutThereToo_AndEndsOnTheSignInPage()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres, interactive: true);
        using var browser = new OidcBrowser(oidc.BaseUrl);
        oidc.Idp.NextSignIn = "olga";
        await browser.SignInAsync("/runs");
        using var page = await browser.GetAsync("/runs");
        var token = System.Text.RegularExpressions.Regex.Match(await page.Content.ReadAsStringAsync(),
            "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        var signOut = await browser.PostAsync("/signout", new() { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) });

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.StartsWith($"{oidc.Idp.Authority}/endsession?", signOut.Headers.Location!.AbsoluteUri);
        using var atProvider = await browser.FollowAsync(signOut); // the provider sends the browser back to the host's callback
        using var back = await browser.FollowAsync(atProvider);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("/signin", back.Headers.Location!.IsAbsoluteUri ? back.Headers.Location.AbsolutePath : back.Headers.Location.OriginalString);
        using var after = await browser.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task SecondSignIn_AfterTheProviderChangedTheRoles_UpdatesTheRole_SameAccount()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres, interactive: true);
        oidc.Idp.NextSignIn = "vic";
        using (var first = new OidcBrowser(oidc.BaseUrl))
        {
            Assert.Equal("/", await first.SignInAsync());
        }

        var before = await AccountAsync(oidc, "vic");
        Assert.Equal(LuigiRoles.Viewer, before.Role);

        oidc.Idp.AddUser("vic", "Vic Viewer", "vic@example.com", OidcTestHost.MappedGroup);
        using var second = new OidcBrowser(oidc.BaseUrl);
        Assert.Equal("/", await second.SignInAsync());

        var after = await AccountAsync(oidc, "vic");
        Assert.Equal(before.User.Id, after.User.Id);
        Assert.Equal(LuigiRoles.Operator, after.Role);

        // Removed from every role at the provider: refused, and the local account loses its role (and its sessions
        // their rights at their next revalidation), as its API tokens do.
        oidc.Idp.AddUser("vic", "Vic Viewer", "vic@example.com");
        using var third = new OidcBrowser(oidc.BaseUrl);
        Assert.Equal($"/denied?reason={OidcSetup.DeniedReasons.NoRole}", await third.SignInAsync());
        using var refused = await third.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var removed = await AccountAsync(oidc, "vic");
        Assert.Null(removed.Role);
        Assert.NotEqual(after.User.SecurityStamp, removed.User.SecurityStamp);
    }

    [Fact]
    public async Task ProviderUserNamedLikeALocalAccount_GetsAnotherAccount_NeverTheLocalOne()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres, interactive: true);
        var local = await TestUsers.EnsureAsync(oidc.Host.Services, "mallory@example.com", LuigiRoles.Admin);
        // Whoever controls this name at the provider must not become the local administrator.
        oidc.Idp.AddUser("mallory-at-idp", "Mallory", "mallory@example.com", "Viewer");
        oidc.Idp.NextSignIn = "mallory-at-idp";
        using var browser = new OidcBrowser(oidc.BaseUrl);

        Assert.Equal("/", await browser.SignInAsync());

        var account = await AccountAsync(oidc, "mallory-at-idp");
        Assert.NotEqual(local.Id, account.User.Id);
        Assert.Equal("mallory@example.com.oidc", account.User.UserName);
        Assert.Equal(LuigiRoles.Viewer, account.Role);
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<LuigiUser>>();
        var still = (await users.FindByIdAsync(local.Id))!;
        Assert.Empty(await users.GetLoginsAsync(still));
        Assert.Equal([LuigiRoles.Admin], await users.GetRolesAsync(still));
    }

    [Fact]
    public async Task NoRole_IsRefusedWithAReason_AndNoAccountIsMade()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres, interactive: true);
        oidc.Idp.NextSignIn = "nora";
        using var browser = new OidcBrowser(oidc.BaseUrl);

        var landed = await browser.SignInAsync("/runs");

        Assert.Equal($"/denied?reason={OidcSetup.DeniedReasons.NoRole}", landed);
        using var page = await browser.GetAsync(landed);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains($"Your account at {OidcTestHost.DisplayName} has no role for Luigi", WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()));
        using var runs = await browser.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.Redirect, runs.StatusCode);
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<LuigiUser>>().FindByLoginAsync(OidcSetup.Scheme, "nora"));
    }

    [Fact]
    public async Task SignInForm_WithoutTheAntiforgeryToken_Is400_AndAForeignReturnUrlIsDropped()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres, interactive: true);
        oidc.Idp.NextSignIn = "olga";
        using var browser = new OidcBrowser(oidc.BaseUrl);

        using var forged = await browser.PostAsync(AuthSetup.OidcSignInPath, new Dictionary<string, string> { ["returnUrl"] = "/runs" });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(0, oidc.Idp.AuthorizeRequests);

        Assert.Equal("/", await browser.SignInAsync("https://evil.example/steal"));
    }

    [Fact]
    public async Task SignInPage_OffersTheProvider_AndItsOriginIsAllowedAsAFormTarget()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres, interactive: true);
        using var browser = new OidcBrowser(oidc.BaseUrl);

        using var page = await browser.GetAsync("/signin");

        Assert.Contains($"Sign in with {OidcTestHost.DisplayName}", await page.Content.ReadAsStringAsync());
        var policy = string.Join(' ', page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains($"form-action 'self' {oidc.Idp.Authority};", policy);
    }

    private static async Task<(LuigiUser User, string? Role, bool HasPassword, UserLoginInfo Login)> AccountAsync(OidcTestHost oidc, string subject)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<LuigiUser>>();
        var user = await users.FindByLoginAsync(OidcSetup.Scheme, subject);
        Assert.NotNull(user);
        var login = Assert.Single(await users.GetLoginsAsync(user));
        Assert.Equal(subject, login.ProviderKey);
        return (user, await LuigiUsers.RoleOfAsync(users, user), await users.HasPasswordAsync(user), login);
    }
}
