using System.Net;
using System.Text.RegularExpressions;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// The sign-in page as people use it: the first administrator's one-time password, wrong passwords holding back an address,
/// attempts limited per address, and the return address kept within the site.
/// </summary>
public sealed partial class SignInTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task TheOneTimePasswordInTheLog_WorksOnce_AndMustBeReplacedBeforeAnySession()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await AccessHost.StartAsync(postgres, logging: logs);
        var oneTime = Assert.Single(logs.Lines.Select(l => OneTimePassword().Match(l)), m => m.Success).Groups[1].Value;
        var client = host.Anonymous();

        var (asked, page) = await SignInForm.SignInAsync(client, "admin", oneTime, "/signin?ReturnUrl=%2Fruns");
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("Choose a new password", page);
        Assert.False(SignInForm.SetsSession(asked));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/runs")).StatusCode);

        var tooShort = await SignInForm.PostAsync(client, "/signin", page, "choose-password", Choose("short"));
        Assert.Contains("at least 12 characters", await tooShort.Content.ReadAsStringAsync());
        var chosen = await SignInForm.PostAsync(client, "/signin", page, "choose-password", Choose("a much longer passphrase"));
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        Assert.Equal("http://localhost/runs", chosen.Headers.Location!.AbsoluteUri);
        Assert.True(SignInForm.SetsSession(chosen));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/runs")).StatusCode);

        var again = await SignInForm.SignInAsync(host.Anonymous(), "admin", oneTime);
        Assert.Equal("Wrong user name or password.", SignInForm.ErrorOf(again.Body));
        var replaced = await SignInForm.SignInAsync(host.Anonymous(), "admin", "a much longer passphrase");
        Assert.Equal(HttpStatusCode.Redirect, replaced.Response.StatusCode);
        Assert.True(SignInForm.SetsSession(replaced.Response));
    }

    [Theory]
    [InlineData("%2Fruns%3Fstate%3DFailed", "/runs?state=Failed")]
    [InlineData("https%3A%2F%2Fevil.example%2F", "/")]
    [InlineData("%2F%2Fevil.example", "/")]
    [InlineData("%2F%5Cevil.example", "/")]
    public async Task AfterSigningIn_TheReturnAddressIsFollowedOnlyWithinTheSite(string returnUrl, string expected)
    {
        await using var host = await AccessHost.StartAsync(postgres);
        await TestUsers.EnsureAsync(host.Services, "vera", LuigiRoles.Viewer);

        var (response, _) = await SignInForm.SignInAsync(host.Anonymous(), "vera", TestUsers.Password, $"/signin?ReturnUrl={returnUrl}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(new Uri(new Uri("http://localhost"), expected), response.Headers.Location); // this site (the test server's), never another
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("nobody")]
    public async Task WrongPasswords_HoldBackTheAddressThatSentThem_NeverTheAccount_AndTellNothingOfWhetherItExists(string userName)
    {
        await using var host = await AccessHost.StartAsync(postgres,
            new Dictionary<string, string> { ["Luigi:Auth:MaxFailedSignIns"] = "3", ["Luigi:Auth:SignInAttemptsPerMinute"] = "100" },
            configure: ClientAddress.FromHeader);
        await TestUsers.EnsureAsync(host.Services, "alice", LuigiRoles.Admin);
        var stranger = ClientAddress.Of(host.Anonymous(), "203.0.113.66");

        Assert.Equal("Wrong user name or password.", SignInForm.ErrorOf((await SignInForm.SignInAsync(stranger, userName, "guess 1")).Body));
        Assert.Equal("Wrong user name or password.", SignInForm.ErrorOf((await SignInForm.SignInAsync(stranger, userName, "guess 2")).Body));
        var held = SignInForm.ErrorOf((await SignInForm.SignInAsync(stranger, userName, "guess 3")).Body);
        Assert.Equal("Too many wrong passwords for this user name from your address. Try again in 30 seconds.", held);
        Assert.Equal(held, SignInForm.ErrorOf((await SignInForm.SignInAsync(stranger, userName, TestUsers.Password)).Body));

        var owner = await SignInForm.SignInAsync(ClientAddress.Of(host.Anonymous(), "198.51.100.7"), "alice", TestUsers.Password);
        Assert.Equal(HttpStatusCode.Redirect, owner.Response.StatusCode);
        Assert.True(SignInForm.SetsSession(owner.Response));
    }

    [Fact]
    public async Task AnAccountLockedByAnAdministrator_SaysSoOnlyToTheRightPassword()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var vera = await TestUsers.EnsureAsync(host.Services, "vera", LuigiRoles.Viewer);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<LuigiUser>>();
            var user = (await users.FindByIdAsync(vera.Id))!;
            await users.SetLockoutEnabledAsync(user, true);
            await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        }

        var client = host.Anonymous();
        Assert.Equal("Wrong user name or password.", SignInForm.ErrorOf((await SignInForm.SignInAsync(client, "vera", "not her password")).Body));
        var right = await SignInForm.SignInAsync(client, "vera", TestUsers.Password);
        Assert.Contains("locked by an administrator", SignInForm.ErrorOf(right.Body));
        Assert.False(SignInForm.SetsSession(right.Response));
    }

    [Fact]
    public async Task SignInAttempts_AreLimitedPerAddress_AndThePageStillShows()
    {
        await using var host = await AccessHost.StartAsync(postgres, new Dictionary<string, string> { ["Luigi:Auth:SignInAttemptsPerMinute"] = "3" });
        var client = host.Anonymous();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SignInForm.SignInAsync(client, "nobody", "guess number " + i)).Response.StatusCode);
        }

        var (limited, body) = await SignInForm.SignInAsync(client, "nobody", "guess number 4");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("60", limited.Headers.RetryAfter?.ToString());
        Assert.Contains("Too many sign-in attempts", body);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/signin")).StatusCode);
    }

    [Fact]
    public async Task SigningOut_EndsTheSession_AndNeedsThePagesToken()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        await TestUsers.EnsureAsync(host.Services, "vera", LuigiRoles.Viewer);
        var client = host.Anonymous();
        await SignInForm.SignInAsync(client, "vera", TestUsers.Password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/runs")).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/signout", new FormUrlEncodedContent([]))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/runs")).StatusCode);

        var token = AntiforgeryToken().Match(await client.GetStringAsync("/runs")).Groups[1].Value;
        var signedOut = await client.PostAsync("/signout", new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(token))]));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/runs")).StatusCode);
    }

    private static Dictionary<string, string> Choose(string password) => new() { ["Choose.NewPassword"] = password, ["Choose.Confirm"] = password };

    [GeneratedRegex("one-time password (\\S+) ")]
    private static partial Regex OneTimePassword();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
