using Luigi.Web.Auth;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// <see cref="UserAdministration"/> and <see cref="PersonalTokens"/> on a real Identity store (a SQLite file): what each
/// change does to sign-in, sessions and tokens, and the guards that keep an unlocked administrator.
/// </summary>
public sealed class UserAdministrationTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"luigi-users-{Guid.NewGuid():N}.db");
    private readonly LogCapture _log = new();
    private ServiceProvider _services = default!;
    private LuigiUser _admin = default!;
    private AdminActor _actor = default!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection().AddTestIdentity($"Data Source={_file};Pooling=False");
        services.AddLogging(l => l.AddProvider(_log));
        _services = services.BuildServiceProvider();
        await IdentityStore.MigrateAsync(_services);
        _admin = await IdentityStore.AddUserAsync(_services, "ada", LuigiRoles.Admin);
        _actor = new AdminActor(_admin.Id, "ada");
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }

    /// <summary>Runs <paramref name="action"/> on a fresh scope, as each dashboard action does.</summary>
    private async Task<T> In<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    private Task In(Func<IServiceProvider, Task> action) => In(async s => { await action(s); return true; });

    private Task<T> Admin<T>(Func<UserAdministration, Task<T>> action) => In(s => action(s.GetRequiredService<UserAdministration>()));

    private Task Admin(Func<UserAdministration, Task> action) => In(s => action(s.GetRequiredService<UserAdministration>()));

    private Task<UserSummary> SummaryAsync(string userName) => Admin(async a => (await a.ListAsync()).Single(u => u.UserName == userName));

    private Task<LuigiUser> UserAsync(string userName) => In(s => s.GetRequiredService<UserManager<LuigiUser>>().FindByNameAsync(userName))!;

    private Task<bool> PasswordWorksAsync(string userName, string password) =>
        In(async s =>
        {
            var users = s.GetRequiredService<UserManager<LuigiUser>>();
            return await users.CheckPasswordAsync((await users.FindByNameAsync(userName))!, password);
        });

    private Task<ApiTokenIdentity?> AuthenticateAsync(string token) => In(s => s.GetRequiredService<ApiTokenService>().AuthenticateAsync(token));

    private Task<NewApiToken> TokenOfAsync(string userId, string name = "scheduler") =>
        In(s => s.GetRequiredService<ApiTokenService>().CreateAsync(userId, name, null));

    private static async Task<string> RefusedAsync(Func<Task> action) => (await Assert.ThrowsAsync<UserAdministrationException>(action)).Message;

    [Fact]
    public async Task Create_WithoutPassword_GivesAOneTimePasswordThatWorks_AndMustBeReplaced()
    {
        var created = await Admin(a => a.CreateAsync("  vera ", "viewer", null, _actor));

        Assert.Equal("vera", created.UserName);
        Assert.Equal(LuigiRoles.Viewer, created.Role);
        Assert.True(await PasswordWorksAsync("vera", created.OneTimePassword!));
        var listed = await SummaryAsync("vera");
        Assert.Equal(LuigiRoles.Viewer, listed.Role);
        Assert.True(listed.MustChangePassword);
        Assert.False(listed.Locked);
        Assert.Equal(0, listed.ActiveTokens);
    }

    [Fact]
    public async Task Create_WithATypedPassword_UsesIt_ChecksTheRules_AndRefusesATakenName()
    {
        var created = await Admin(a => a.CreateAsync("otto", LuigiRoles.Operator, "a long enough password", _actor));
        Assert.Null(created.OneTimePassword);
        Assert.True(await PasswordWorksAsync("otto", "a long enough password"));
        Assert.True((await SummaryAsync("otto")).MustChangePassword);

        Assert.Contains("at least 12 characters", await RefusedAsync(() => Admin(a => a.CreateAsync("tim", LuigiRoles.Viewer, "short", _actor))));
        Assert.Contains("already a user named 'otto'", await RefusedAsync(() => Admin(a => a.CreateAsync("otto", LuigiRoles.Viewer, null, _actor))));
        Assert.Contains("not a role", await RefusedAsync(() => Admin(a => a.CreateAsync("tim", "Owner", null, _actor))));
        Assert.DoesNotContain(await Admin(a => a.ListAsync()), u => u.UserName == "tim");
    }

    [Fact]
    public async Task TwoAdminsDemotingEachOtherAtOnce_LeaveOneAdmin_TheOtherChangeRefused()
    {
        var bea = await IdentityStore.AddUserAsync(_services, "bea", LuigiRoles.Admin);

        var outcomes = await Task.WhenAll(
            Attempt(() => Admin(a => a.SetRoleAsync(bea.Id, LuigiRoles.Viewer, _actor))),
            Attempt(() => Admin(a => a.SetRoleAsync(_admin.Id, LuigiRoles.Viewer, new AdminActor(bea.Id, "bea")))));

        Assert.Single(outcomes, o => o is null);
        Assert.Contains("only unlocked administrator", Assert.Single(outcomes, o => o is not null));
        Assert.Single(await Admin(a => a.ListAsync()), u => u.Role == LuigiRoles.Admin);

        static async Task<string?> Attempt(Func<Task> change)
        {
            try
            {
                await change();
                return null;
            }
            catch (UserAdministrationException refused)
            {
                return refused.Message;
            }
        }
    }

    [Fact]
    public async Task SetRole_OfTheLastAdmin_IsRefused_UntilThereIsAnother_AndEndsTheirSessionsThen()
    {
        var refused = await RefusedAsync(() => Admin(a => a.SetRoleAsync(_admin.Id, LuigiRoles.Operator, _actor)));
        Assert.Contains("only unlocked administrator", refused);
        Assert.Equal(LuigiRoles.Admin, (await SummaryAsync("ada")).Role);

        await IdentityStore.AddUserAsync(_services, "bob", LuigiRoles.Admin);
        var stamp = (await UserAsync("ada")).SecurityStamp;
        await Admin(a => a.SetRoleAsync(_admin.Id, LuigiRoles.Operator, _actor));

        Assert.Equal(LuigiRoles.Operator, (await SummaryAsync("ada")).Role);
        Assert.NotEqual(stamp, (await UserAsync("ada")).SecurityStamp);
    }

    [Fact]
    public async Task Lock_StopsTheirTokensAndSessions_UnlockGivesThemBack()
    {
        var vera = await IdentityStore.AddUserAsync(_services, "vera", LuigiRoles.Viewer);
        var token = await TokenOfAsync(vera.Id);
        var stamp = vera.SecurityStamp;

        await Admin(a => a.LockAsync(vera.Id, _actor));

        Assert.True((await SummaryAsync("vera")).Locked);
        Assert.NotEqual(stamp, (await UserAsync("vera")).SecurityStamp);
        Assert.Null(await AuthenticateAsync(token.Text));
        var locked = await UserAsync("vera");
        Assert.True(await In(s => s.GetRequiredService<UserManager<LuigiUser>>().IsLockedOutAsync(locked)));

        await Admin(a => a.UnlockAsync(vera.Id, _actor));

        Assert.False((await SummaryAsync("vera")).Locked);
        Assert.Equal("vera", (await AuthenticateAsync(token.Text))?.UserName);
    }

    [Fact]
    public async Task Lock_Yourself_OrTheLastUnlockedAdmin_IsRefused()
    {
        Assert.Contains("cannot lock yourself", await RefusedAsync(() => Admin(a => a.LockAsync(_admin.Id, _actor))));

        // Another admin, locked: does not count. Locking the only unlocked one is refused, whoever asks.
        var bob = await IdentityStore.AddUserAsync(_services, "bob", LuigiRoles.Admin);
        await Admin(a => a.LockAsync(bob.Id, _actor));
        var other = new AdminActor(bob.Id, "bob");
        Assert.Contains("only unlocked administrator", await RefusedAsync(() => Admin(a => a.LockAsync(_admin.Id, other))));
        Assert.Contains("only unlocked administrator", await RefusedAsync(() => Admin(a => a.SetRoleAsync(_admin.Id, LuigiRoles.Viewer, _actor))));
        Assert.False((await SummaryAsync("ada")).Locked);
    }

    [Fact]
    public async Task Delete_TakesTheirTokens_ButNotYourselfNorTheLastAdmin()
    {
        var vera = await IdentityStore.AddUserAsync(_services, "vera", LuigiRoles.Viewer);
        var token = await TokenOfAsync(vera.Id);
        Assert.Equal(1, (await SummaryAsync("vera")).ActiveTokens);

        await Admin(a => a.DeleteAsync(vera.Id, _actor));

        Assert.DoesNotContain(await Admin(a => a.ListAsync()), u => u.UserName == "vera");
        Assert.Null(await AuthenticateAsync(token.Text));
        Assert.Equal(0, await In(s => s.GetRequiredService<AuthDbContext>().ApiTokens.CountAsync(t => t.UserId == vera.Id)));

        Assert.Contains("cannot delete yourself", await RefusedAsync(() => Admin(a => a.DeleteAsync(_admin.Id, _actor))));
        var someoneElse = new AdminActor(null, "bootstrap");
        Assert.Contains("only unlocked administrator", await RefusedAsync(() => Admin(a => a.DeleteAsync(_admin.Id, someoneElse))));
        Assert.Contains("no longer exists", await RefusedAsync(() => Admin(a => a.DeleteAsync(vera.Id, _actor))));
    }

    [Fact]
    public async Task ResetPassword_GivesAOneTimePassword_TheOldOneStopsWorking_SessionsEnd_AndNoPasswordIsLogged()
    {
        var created = await Admin(a => a.CreateAsync("otto", LuigiRoles.Operator, "the first password", _actor));
        var stamp = (await UserAsync("otto")).SecurityStamp;

        var password = await Admin(a => a.ResetPasswordAsync(created.Id, _actor));

        Assert.True(await PasswordWorksAsync("otto", password));
        Assert.False(await PasswordWorksAsync("otto", "the first password"));
        var otto = await UserAsync("otto");
        Assert.True(otto.MustChangePassword);
        Assert.NotEqual(stamp, otto.SecurityStamp);
        Assert.Contains(_log.Messages, m => m.Contains("ada reset the password of 'otto'"));
        Assert.DoesNotContain(_log.Messages, m => m.Contains(password) || m.Contains("the first password"));
    }

    [Fact]
    public async Task Tokens_AdminsSeeAndRevokeEveryonesTokens()
    {
        var vera = await IdentityStore.AddUserAsync(_services, "vera", LuigiRoles.Viewer);
        var hers = await TokenOfAsync(vera.Id, "her laptop");
        await TokenOfAsync(_admin.Id, "mine");

        var all = await Admin(a => a.ListTokensAsync());
        Assert.Equal(["her laptop", "mine"], all.Select(t => t.Name).Order());

        Assert.True(await Admin(a => a.RevokeTokenAsync(hers.Token.Id, _actor)));
        Assert.Null(await AuthenticateAsync(hers.Text));
        Assert.False(await Admin(a => a.RevokeTokenAsync(hers.Token.Id, _actor)));
        Assert.Equal("ada", (await Admin(a => a.ListTokensAsync())).Single(t => t.Name == "her laptop").RevokedBy);
        Assert.Equal(0, (await SummaryAsync("vera")).ActiveTokens);
    }

    [Fact]
    public async Task PersonalTokens_AreMadeWithAnExpiryAtTheEndOfTheDay_AndOnlyTheirOwnerRevokesThem()
    {
        var vera = await IdentityStore.AddUserAsync(_services, "vera", LuigiRoles.Viewer);
        var tomorrow = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
        var made = await In(s => s.GetRequiredService<PersonalTokens>().CreateAsync(vera.Id, "vera", "ci", tomorrow));
        Assert.Equal(tomorrow.AddDays(1).ToDateTime(TimeOnly.MinValue), made.Token.ExpiresAt);
        Assert.Equal("vera", (await AuthenticateAsync(made.Text))?.UserName);

        var past = await Assert.ThrowsAsync<PersonalTokenException>(() =>
            In(s => s.GetRequiredService<PersonalTokens>().CreateAsync(vera.Id, "vera", "old", tomorrow.AddDays(-3))));
        Assert.Equal("The expiry date is in the past.", past.Message);
        var nameless = await Assert.ThrowsAsync<PersonalTokenException>(() => In(s => s.GetRequiredService<PersonalTokens>().CreateAsync(vera.Id, "vera", " ", null)));
        Assert.StartsWith("A token needs a name", nameless.Message);

        var notYours = await Assert.ThrowsAsync<PersonalTokenException>(() =>
            In(s => s.GetRequiredService<PersonalTokens>().RevokeAsync(_admin.Id, "ada", made.Token.Id)));
        Assert.Equal("You have no such token.", notYours.Message);
        Assert.NotNull(await AuthenticateAsync(made.Text));

        Assert.True(await In(s => s.GetRequiredService<PersonalTokens>().RevokeAsync(vera.Id, "vera", made.Token.Id)));
        Assert.Null(await AuthenticateAsync(made.Text));
    }
}
