using StoreOptions = Luigi.Engine.Storage.StoreOptions;
using Luigi.Engine.Storage;
using Luigi.Web.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Auth;

/// <summary>
/// Before the host serves: applies the auth migrations (unless <c>Luigi:Store:MigrateOnStart</c> is false), makes the
/// roles, and when no administrator exists makes the first one from <see cref="BootstrapAdminOptions"/>, with a one-time
/// password written to the log when no password is set. Several hosts starting together make one administrator; an
/// executor-only host (<see cref="HostRole.Executor"/>) makes none, so that the dashboard host's settings decide.
/// </summary>
internal sealed class AuthBootstrapper(
    IServiceScopeFactory scopes, StoreOptions storeOptions, AuthOptions options, IConfiguration configuration, ILogger<AuthBootstrapper> logger,
    LuigiMount mount)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        if (storeOptions.MigrateOnStart)
        {
            await services.GetRequiredService<AuthDbContext>().Database.MigrateAsync(cancellationToken);
        }

        if (HostRoleSetting.Read(configuration) == HostRole.Executor)
        {
            return; // serves no sign-in: the administrator is made by a dashboard host, with that host's settings
        }

        await EnsureRolesAsync(services.GetRequiredService<RoleManager<IdentityRole>>());
        var users = services.GetRequiredService<UserManager<LuigiUser>>();
        var admin = await EnsureAdminAsync(users, services.GetRequiredService<TimeProvider>());
        if (options.BootstrapAdmin.ApiToken is { Length: > 0 } token && admin is not null)
        {
            await EnsureTokenAsync(services.GetRequiredService<AuthDbContext>(), services.GetRequiredService<ApiTokenService>(), admin, token, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task EnsureRolesAsync(RoleManager<IdentityRole> roles)
    {
        foreach (var role in LuigiRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                var created = await roles.CreateAsync(new IdentityRole(role));
                if (!created.Succeeded && !await roles.RoleExistsAsync(role)) // another host made it meanwhile
                {
                    throw new InvalidOperationException($"Cannot create the role {role}: {LuigiUsers.Describe(created)}");
                }
            }
        }
    }

    /// <summary>The bootstrap administrator when this start made it or it exists; null when other administrators exist.</summary>
    private async Task<LuigiUser?> EnsureAdminAsync(UserManager<LuigiUser> users, TimeProvider time)
    {
        var name = options.BootstrapAdmin.UserName.Trim();
        var existing = await users.FindByNameAsync(name);
        if ((await users.GetUsersInRoleAsync(LuigiRoles.Admin)).Count > 0)
        {
            return existing is not null && await users.IsInRoleAsync(existing, LuigiRoles.Admin) ? existing : null;
        }

        if (existing is not null)
        {
            throw new InvalidOperationException(
                $"No administrator exists, and the user '{name}' named by Luigi:Auth:BootstrapAdmin:UserName exists without that role; " +
                "its password is not reset on its owner's behalf. Set Luigi:Auth:BootstrapAdmin:UserName to a new name to make the first administrator.");
        }

        var password = options.BootstrapAdmin.Password;
        var oneTime = string.IsNullOrEmpty(password);
        password = oneTime ? PasswordRules.NewOneTimePassword() : password!;
        try
        {
            var admin = new LuigiUser { UserName = name, CreatedAt = time.GetUtcNow().UtcDateTime, MustChangePassword = oneTime };
            var result = await users.CreateAsync(admin, password);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Cannot create the first administrator '{name}': {LuigiUsers.Describe(result)}");
            }

            await LuigiUsers.SetRoleAsync(users, admin, LuigiRoles.Admin);
            if (oneTime)
            {
                logger.LogWarning(
                    "No administrator existed: made '{UserName}' with the one-time password {OneTimePassword} . Sign in at {SignIn} and choose a new password; this one works once.",
                    name, password, mount.Prefix.Add("/signin").Value); // under MapLuigi's prefix, which is known once the app runs
            }
            else
            {
                logger.LogInformation("No administrator existed: made '{UserName}' with the password from Luigi:Auth:BootstrapAdmin:Password.", name);
            }

            return admin;
        }
        catch (DbUpdateException)
        {
            if ((await users.GetUsersInRoleAsync(LuigiRoles.Admin)).Count == 0)
            {
                throw;
            }

            logger.LogInformation("Another host made the first administrator at the same time; using it.");
            return await users.FindByNameAsync(name);
        }
    }

    private async Task EnsureTokenAsync(AuthDbContext db, ApiTokenService tokens, LuigiUser admin, string token, CancellationToken cancellationToken)
    {
        var hash = ApiTokenFormat.Hash(token);
        if (await db.ApiTokens.AnyAsync(t => t.TokenHash == hash, cancellationToken))
        {
            return; // made at an earlier start (or revoked since: a revoked token stays revoked)
        }

        try
        {
            await tokens.CreateAsync(admin.Id, "bootstrap (Luigi:Auth:BootstrapAdmin:ApiToken)", null, cancellationToken, token);
            logger.LogInformation("Gave '{UserName}' the API token from Luigi:Auth:BootstrapAdmin:ApiToken.", admin.UserName);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (!await db.ApiTokens.AnyAsync(t => t.TokenHash == hash, cancellationToken))
            {
                throw;
            }

            // Another host added it at the same time.
        }
    }
}
