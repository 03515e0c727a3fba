using Luigi.Web.Auth;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Auth;

/// <summary><see cref="UserAdministration"/> in the real host on PostgreSQL, where changes to administrators also take an advisory lock.</summary>
public sealed class UserAdministrationPostgresTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task TwoAdminsDemotingEachOtherAtOnce_OnPostgres_LeaveOneAdmin()
    {
        await using var host = await AccessHost.StartAsync(postgres, new Dictionary<string, string> { ["Luigi:Auth:BootstrapAdmin:Password"] = TestUsers.Password });
        var ada = await TestUsers.EnsureAsync(host.Services, "ada", LuigiRoles.Admin);
        var bea = await TestUsers.EnsureAsync(host.Services, "bea", LuigiRoles.Admin);
        var admin = await TestUsers.EnsureAsync(host.Services, "admin", null); // the first administrator, demoted so that two remain
        await Change(host, a => a.SetRoleAsync(admin.Id, LuigiRoles.Viewer, new AdminActor(ada.Id, "ada")));

        var outcomes = await Task.WhenAll(
            Attempt(() => Change(host, a => a.SetRoleAsync(bea.Id, LuigiRoles.Operator, new AdminActor(ada.Id, "ada")))),
            Attempt(() => Change(host, a => a.LockAsync(ada.Id, new AdminActor(bea.Id, "bea")))));

        Assert.Single(outcomes, o => o is null);
        Assert.Contains("only unlocked administrator", Assert.Single(outcomes, o => o is not null));
        await using var scope = host.Services.CreateAsyncScope();
        var users = await scope.ServiceProvider.GetRequiredService<UserAdministration>().ListAsync();
        Assert.Single(users, u => u.Role == LuigiRoles.Admin && !u.Locked);
    }

    private static async Task Change(AccessHost host, Func<UserAdministration, Task> change)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await change(scope.ServiceProvider.GetRequiredService<UserAdministration>());
    }

    private static async Task<string?> Attempt(Func<Task> change)
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
