using Luigi.Web.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Luigi.Web.Tests.Infrastructure;

/// <summary>
/// Users of a running test host, made through the host's own Identity services: with a role, an API token, a password,
/// or a session cookie minted by the host's cookie handler (what a browser holds after signing in; the sign-in page
/// itself is tested end to end).
/// </summary>
public static class TestUsers
{
    /// <summary>A password that passes the host's rules.</summary>
    public const string Password = "correct horse battery staple";

    /// <summary>Makes (or finds) <paramref name="userName"/> with exactly <paramref name="role"/> (none when null) and <see cref="Password"/>.</summary>
    public static async Task<LuigiUser> EnsureAsync(IServiceProvider services, string userName, string? role)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<LuigiUser>>();
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            user = new LuigiUser { UserName = userName, CreatedAt = DateTime.UtcNow };
            var created = await users.CreateAsync(user, Password);
            Assert.True(created.Succeeded, LuigiUsers.Describe(created));
        }

        if (role is not null)
        {
            await LuigiUsers.SetRoleAsync(users, user, role);
        }

        return user;
    }

    /// <summary>A new API token of <paramref name="userName"/> (made with <paramref name="role"/> if missing).</summary>
    public static async Task<NewApiToken> TokenAsync(IServiceProvider services, string userName, string? role)
    {
        var user = await EnsureAsync(services, userName, role);
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(user.Id, "test", null);
    }

    /// <summary>
    /// The value of the session cookie (<see cref="SessionCookieName"/>) of <paramref name="userName"/> (made with
    /// <paramref name="role"/> if missing), as the sign-in page would set it.
    /// </summary>
    public static async Task<string> SessionCookieAsync(IServiceProvider services, string userName, string? role)
    {
        var user = await EnsureAsync(services, userName, role);
        await using var scope = services.CreateAsyncScope();
        var principal = await scope.ServiceProvider.GetRequiredService<SignInManager<LuigiUser>>().CreateUserPrincipalAsync(user);
        var cookie = scope.ServiceProvider.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);
        var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { IssuedUtc = DateTimeOffset.UtcNow }, IdentityConstants.ApplicationScheme);
        return cookie.TicketDataFormat.Protect(ticket);
    }

    /// <summary>The name of the dashboard's session cookie.</summary>
    public const string SessionCookieName = "luigi.session";
}
