using System.Net;
using System.Net.Http.Headers;
using Luigi.Engine.Storage;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Components;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// Accounts in a real Chromium against the real host: signing in with a one-time password and choosing one's own,
/// signing out; an administrator making a Viewer who then sees runs without their actions; a personal API token made
/// on the account page that works on the API until it is revoked there.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    private const string NewPassword = "my own long password";

    /// <summary>Signs in on the sign-in page <paramref name="page"/> shows, with a one-time password, and chooses <see cref="NewPassword"/>.</summary>
    private static async Task SignInWithOneTimePasswordAsync(IPage page, string userName, string oneTimePassword)
    {
        await page.GetByTestId("user-name").FillAsync(userName);
        await page.GetByTestId("password").FillAsync(oneTimePassword);
        await page.GetByTestId("signin").ClickAsync();
        await Assertions.Expect(page.GetByTestId("choose-password-form")).ToBeVisibleAsync();
        await page.GetByTestId("new-password").FillAsync(NewPassword);
        await page.GetByTestId("confirm-password").FillAsync(NewPassword);
        await page.GetByTestId("choose-password").ClickAsync();
    }

    [Fact]
    public async Task Anonymous_LandsOnSignIn_OneTimePasswordIsReplaced_ThenSignedInOnRuns_ChangesPassword_AndSignsOut()
    {
        CreatedUser nina;
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            nina = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
                .CreateAsync("nina", LuigiRoles.Operator, null, new AdminActor(null, "test"));
        }

        var page = await NewPageAsync(role: null);
        await page.GotoAsync("/runs");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == AuthSetup.SignInPath);
        await Assertions.Expect(page.GetByTestId("signin-form")).ToBeVisibleAsync();

        await SignInWithOneTimePasswordAsync(page, "nina", nina.OneTimePassword!);

        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/runs");
        await page.Locator(".shell[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-name")).ToHaveTextAsync("nina");
        await Assertions.Expect(page.GetByTestId("signed-in-role")).ToHaveTextAsync(LuigiRoles.Operator);
        await Assertions.Expect(page.GetByTestId("nav-users")).ToHaveCountAsync(0);

        // The password page, linked from the account page, is a plain form: it changes the password and keeps the session.
        await page.GetByTestId("nav-account").ClickAsync();
        await page.GetByTestId("change-password-link").ClickAsync();
        await page.GetByTestId("current-password").FillAsync(NewPassword);
        await page.GetByTestId("new-password").FillAsync("an even longer password");
        await page.GetByTestId("confirm-password").FillAsync("an even longer password");
        await page.GetByTestId("change-password").ClickAsync();
        await Assertions.Expect(page.GetByTestId("password-changed")).ToBeVisibleAsync();
        await page.OpenAsync("/runs");
        await Assertions.Expect(page.GetByTestId("signed-in-name")).ToHaveTextAsync("nina");

        await page.GetByTestId("signout").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == AuthSetup.SignInPath);
        await page.GotoAsync("/runs");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == AuthSetup.SignInPath);
    }

    [Fact]
    public async Task AdminCreatesAViewer_WhoseOneTimePasswordWorks_AndWhoSeesARunWithoutActions()
    {
        var run = await TestRuns.SeedFailedComplexRunAsync(Host.Services.GetRequiredService<LuigiStore>());
        var admin = await NewPageAsync(userName: "ada", role: LuigiRoles.Admin);
        await admin.OpenAsync("/admin/users");
        await admin.GetByTestId("new-user-name").FillAsync("vic");
        await admin.GetByTestId("new-user-role").SelectOptionAsync(LuigiRoles.Viewer);
        await admin.GetByTestId("create-user").ClickAsync();
        var oneTimePassword = (await admin.GetByTestId("one-time-password-value").TextContentAsync())!.Trim();
        await Assertions.Expect(admin.Locator("[data-testid=user-row][data-user-name=vic] [data-testid=user-state]")).ToHaveTextAsync("Must choose a password");

        var viewer = await NewPageAsync(role: null);
        await viewer.GotoAsync($"/runs/{run}");
        await viewer.WaitForURLAsync(url => new Uri(url).AbsolutePath == AuthSetup.SignInPath);
        await SignInWithOneTimePasswordAsync(viewer, "vic", oneTimePassword);

        await viewer.WaitForURLAsync(RunUrl());
        await viewer.Locator(".shell[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(viewer.GetByTestId("signed-in-role")).ToHaveTextAsync(LuigiRoles.Viewer);
        await Assertions.Expect(viewer.GetByTestId("run-state").Locator(".state-badge")).ToHaveAttributeAsync("data-state", "Failed");
        await Assertions.Expect(viewer.Locator("[data-task-id=TaskA]")).ToBeVisibleAsync();
        await Assertions.Expect(viewer.Locator("[data-testid=rerun-all], [data-testid=rerun-failed], [data-testid=cancel-run]")).ToHaveCountAsync(0);

        // The same run as an Operator has them: the Viewer's page is not merely broken.
        var operatorPage = await NewPageAsync();
        await operatorPage.OpenAsync($"/runs/{run}");
        await Assertions.Expect(operatorPage.GetByTestId("rerun-failed")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TokenMadeOnTheAccountPage_WorksOnTheApi_UntilRevokedThere()
    {
        var page = await NewPageAsync();
        await page.OpenAsync("/account");
        await Assertions.Expect(page.GetByTestId("account-name")).ToHaveTextAsync(OperatorName);
        await page.GetByTestId("new-token-name").FillAsync("curl");
        await page.GetByTestId("create-token").ClickAsync();
        var token = (await page.GetByTestId("new-token-value").TextContentAsync())!.Trim();
        await Assertions.Expect(page.GetByTestId("new-token")).ToContainTextAsync("will not be shown again");

        using var http = new HttpClient { BaseAddress = new Uri(Host.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/runs")).StatusCode);

        await page.GetByTestId("revoke-token").ClickAsync();
        await page.GetByTestId("confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("token-row")).ToHaveAttributeAsync("data-active", "false");

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/runs")).StatusCode);
    }
}
