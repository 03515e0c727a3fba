using Bunit;
using Luigi.Web.Auth;
using Luigi.Web.Components.Account;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Components;

/// <summary>The account page: who you are, and your API tokens made (shown once), listed and revoked.</summary>
public sealed class AccountPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private DashboardHarness _h = default!;
    private LuigiUser _me = default!;

    public async Task InitializeAsync()
    {
        _h = await DashboardHarness.CreateAsync();
        await _h.UseIdentityAsync();
        _me = await _h.SignInNewUserAsync("vera", LuigiRoles.Viewer);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private IRenderedComponent<AccountPage> Open()
    {
        var page = _h.Context.Render<AccountPage>();
        page.WaitForElement("[data-testid=account-name]", Wait);
        page.WaitForElement("[data-testid=new-token-form]", Wait);
        return page;
    }

    private async Task<ApiTokenIdentity?> AuthenticateAsync(string token)
    {
        await using var scope = _h.Context.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ApiTokenService>().AuthenticateAsync(token);
    }

    [Fact]
    public void ShowsNameRoleAndDates_AndALinkToChangeThePassword()
    {
        var page = Open();

        Assert.Equal("vera", page.Find("[data-testid=account-name]").TextContent);
        Assert.Equal(LuigiRoles.Viewer, page.Find("[data-testid=account-role]").TextContent);
        Assert.Equal("never", page.Find("[data-testid=account-last-sign-in]").TextContent);
        Assert.Equal("/account/password", page.Find("[data-testid=change-password-link]").GetAttribute("href"));
        Assert.Equal("You have no API tokens.", page.Find("[data-testid=no-tokens]").TextContent);
    }

    [Fact]
    public async Task CreateToken_ShowsItsTextOnce_WithAWarning_AndItWorksUntilRevoked()
    {
        var page = Open();

        page.Find("[data-testid=new-token-name]").Change("nightly scheduler");
        page.Find("[data-testid=new-token-expires]").Change(DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd"));
        page.Find("[data-testid=new-token-form]").Submit();

        var text = page.WaitForElement("[data-testid=new-token-value]", Wait).TextContent;
        Assert.StartsWith(ApiTokenFormat.Prefix, text);
        Assert.Contains("will not be shown again", page.Find("[data-testid=new-token]").TextContent);
        Assert.Equal("vera", (await AuthenticateAsync(text))?.UserName);
        var row = page.Find("[data-testid=token-row]");
        Assert.Equal("nightly scheduler", row.QuerySelector("[data-testid=token-name]")!.TextContent);
        Assert.Equal(text[..10] + "…", row.QuerySelector("[data-testid=token-prefix]")!.TextContent);
        Assert.StartsWith(DateTime.UtcNow.AddDays(31).ToString("yyyy-MM-dd"), row.QuerySelector("[data-testid=token-expires]")!.TextContent);

        page.Find("[data-testid=new-token-done]").Click();
        Assert.Empty(page.FindAll("[data-testid=new-token]"));
        Assert.DoesNotContain(text, page.Markup);

        page.Find("[data-testid=revoke-token]").Click();
        Assert.Contains("nightly scheduler", page.Find("[data-testid=confirm-dialog]").TextContent);
        page.Find("[data-testid=confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal("false", page.Find("[data-testid=token-row]").GetAttribute("data-active")), Wait);
        Assert.Contains("by vera", page.Find("[data-testid=token-revoked]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=revoke-token]"));
        Assert.Null(await AuthenticateAsync(text));
    }

    [Fact]
    public async Task ListsOnlyYourOwnTokens()
    {
        var other = await Infrastructure.IdentityStore.AddUserAsync(_h.Context.Services, "otto", LuigiRoles.Operator);
        await using (var scope = _h.Context.Services.CreateAsyncScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenService>();
            await tokens.CreateAsync(other.Id, "otto's", null);
            await tokens.CreateAsync(_me.Id, "mine", null);
        }

        var page = Open();

        Assert.Equal(["mine"], page.FindAll("[data-testid=token-name]").Select(e => e.TextContent));
    }

    [Fact]
    public void CreateToken_WithoutAName_SaysSo()
    {
        var page = Open();

        page.Find("[data-testid=new-token-form]").Submit();

        page.WaitForAssertion(() => Assert.StartsWith("A token needs a name", page.Find("[data-testid=token-error]").TextContent), Wait);
        Assert.Empty(page.FindAll("[data-testid=new-token]"));
    }
}
