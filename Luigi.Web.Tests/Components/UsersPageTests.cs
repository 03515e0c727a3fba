using Bunit;
using Luigi.Web.Auth;
using Luigi.Web.Components.Admin;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Components;

/// <summary>The users page of administrators on a real Identity store: create, change role, lock, reset, delete, and the guards.</summary>
public sealed class UsersPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private DashboardHarness _h = default!;
    private LuigiUser _admin = default!;

    public async Task InitializeAsync()
    {
        _h = await DashboardHarness.CreateAsync();
        await _h.UseIdentityAsync();
        _admin = await _h.SignInNewUserAsync("ada", LuigiRoles.Admin);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private IRenderedComponent<UsersPage> Open()
    {
        var page = _h.Context.Render<UsersPage>();
        page.WaitForElement("[data-testid=users]", Wait);
        return page;
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<UsersPage> page, string name) =>
        page.Find($"[data-testid=user-row][data-user-name=\"{name}\"]");

    private async Task<T> WithUsersAsync<T>(Func<UserManager<LuigiUser>, Task<T>> action)
    {
        await using var scope = _h.Context.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserManager<LuigiUser>>());
    }

    [Fact]
    public async Task CreateUser_ShowsTheOneTimePasswordOnce_AndListsThem()
    {
        var page = Open();

        page.Find("[data-testid=new-user-name]").Change("vera");
        page.Find("[data-testid=new-user-role]").Change(LuigiRoles.Viewer);
        page.Find("[data-testid=new-user-form]").Submit();

        var password = page.WaitForElement("[data-testid=one-time-password-value]", Wait).TextContent;
        Assert.Contains("will not be shown again", page.Find("[data-testid=one-time-password]").TextContent);
        page.WaitForAssertion(() => Assert.Equal("Must choose a password", Row(page, "vera").QuerySelector("[data-testid=user-state]")!.TextContent.Trim()), Wait);
        Assert.Equal(LuigiRoles.Viewer, Row(page, "vera").QuerySelector("[data-testid=user-role]")!.GetAttribute("value"));
        Assert.True(await WithUsersAsync(async u => await u.CheckPasswordAsync((await u.FindByNameAsync("vera"))!, password)));

        page.Find("[data-testid=one-time-password-done]").Click();
        Assert.DoesNotContain(password, page.Markup);
    }

    [Fact]
    public void DemotingTheLastAdmin_IsRefusedWithTheReason_AndTheRoleStays()
    {
        var page = Open();

        Row(page, "ada").QuerySelector("[data-testid=user-role]")!.Change(LuigiRoles.Operator);

        page.WaitForAssertion(() => Assert.Contains("only unlocked administrator", page.Find("[data-testid=users-error]").TextContent), Wait);
        page.WaitForAssertion(() => Assert.Equal(LuigiRoles.Admin, Row(page, "ada").QuerySelector("[data-testid=user-role]")!.GetAttribute("value")), Wait);
    }

    [Fact]
    public async Task ChangeRole_LockAndUnlock_AreShownAndStored()
    {
        await IdentityStore.AddUserAsync(_h.Context.Services, "otto", LuigiRoles.Viewer);
        var page = Open();

        Row(page, "otto").QuerySelector("[data-testid=user-role]")!.Change(LuigiRoles.Operator);
        page.WaitForAssertion(() => Assert.Equal(LuigiRoles.Operator, Row(page, "otto").QuerySelector("[data-testid=user-role]")!.GetAttribute("value")), Wait);

        Row(page, "otto").QuerySelector("[data-testid=lock-user]")!.Click();
        page.Find("[data-testid=confirm]").Click();
        page.WaitForAssertion(() => Assert.Equal("true", Row(page, "otto").GetAttribute("data-locked")), Wait);
        Assert.True(await WithUsersAsync(async u => await u.IsLockedOutAsync((await u.FindByNameAsync("otto"))!)));
        Assert.Equal(LuigiRoles.Operator, await WithUsersAsync(async u => await LuigiUsers.RoleOfAsync(u, (await u.FindByNameAsync("otto"))!)));

        Row(page, "otto").QuerySelector("[data-testid=unlock-user]")!.Click();
        page.Find("[data-testid=confirm]").Click();
        page.WaitForAssertion(() => Assert.Equal("false", Row(page, "otto").GetAttribute("data-locked")), Wait);
    }

    [Fact]
    public void DeletingOrLockingYourself_IsRefusedInTheDialog()
    {
        var page = Open();

        Row(page, "ada").QuerySelector("[data-testid=delete-user]")!.Click();
        page.Find("[data-testid=confirm]").Click();
        page.WaitForAssertion(() => Assert.Equal("You cannot delete yourself. Ask another administrator.", page.Find("[data-testid=action-error]").TextContent), Wait);
        page.Find("[data-testid=dismiss]").Click();

        Row(page, "ada").QuerySelector("[data-testid=lock-user]")!.Click();
        page.Find("[data-testid=confirm]").Click();
        page.WaitForAssertion(() => Assert.Contains("cannot lock yourself", page.Find("[data-testid=action-error]").TextContent), Wait);
        Assert.NotNull(Row(page, "ada"));
    }

    [Fact]
    public async Task ResetPassword_ShowsANewOneTimePassword_AndDelete_RemovesTheUserAndTheirTokens()
    {
        var otto = await IdentityStore.AddUserAsync(_h.Context.Services, "otto", LuigiRoles.Operator);
        await using (var scope = _h.Context.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(otto.Id, "otto's laptop", null);
        }

        var page = Open();
        page.WaitForAssertion(() => Assert.Equal("otto's laptop", page.Find("[data-testid=all-tokens] [data-testid=token-name]").TextContent), Wait);
        Assert.Equal("1", Row(page, "otto").QuerySelector("[data-testid=user-tokens]")!.TextContent);

        Row(page, "otto").QuerySelector("[data-testid=reset-password]")!.Click();
        page.Find("[data-testid=confirm]").Click();
        var password = page.WaitForElement("[data-testid=one-time-password-value]", Wait).TextContent;
        Assert.True(await WithUsersAsync(async u => await u.CheckPasswordAsync((await u.FindByNameAsync("otto"))!, password)));
        Assert.False(await WithUsersAsync(async u => await u.CheckPasswordAsync((await u.FindByNameAsync("otto"))!, TestUsers.Password)));

        Row(page, "otto").QuerySelector("[data-testid=delete-user]")!.Click();
        page.Find("[data-testid=confirm]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=user-row][data-user-name=otto]")), Wait);
        page.WaitForAssertion(() => Assert.Equal("Nobody has an API token.", page.Find("[data-testid=no-tokens]").TextContent), Wait);
    }

    [Fact]
    public async Task AllTokens_RevokeAfterConfirmation()
    {
        await using (var scope = _h.Context.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(_admin.Id, "deploy", null);
        }

        var page = Open();
        page.WaitForElement("[data-testid=all-tokens] [data-testid=revoke-token]", Wait).Click();
        page.Find("[data-testid=confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal("false", page.Find("[data-testid=all-tokens] [data-testid=token-row]").GetAttribute("data-active")), Wait);
        Assert.Equal("ada", page.Find("[data-testid=token-owner]").TextContent);
    }

    [Fact]
    public void AnOperator_WhoReachesThePage_SeesNoUsers()
    {
        _h.SignIn("olga", LuigiRoles.Operator);

        var page = _h.Context.Render<UsersPage>();

        page.WaitForAssertion(() => Assert.Contains("needs the Admin role", page.Markup), Wait);
        Assert.Empty(page.FindAll("[data-testid=users], [data-testid=new-user-form]"));
    }

    [Fact]
    public async Task Create_ConfirmedAfterTheRoleWasLowered_IsRefused_AndMakesNobody()
    {
        var page = Open();
        page.Find("[data-testid=new-user-name]").Change("mallory");

        _h.SignIn("ada", LuigiRoles.Operator, _admin.Id);
        page.Find("[data-testid=new-user-form]").Submit();

        page.WaitForAssertion(() => Assert.Contains("You may not create users", page.Find("[data-testid=new-user-error]").TextContent), Wait);
        Assert.Null(await WithUsersAsync(u => u.FindByNameAsync("mallory")));
    }
}
