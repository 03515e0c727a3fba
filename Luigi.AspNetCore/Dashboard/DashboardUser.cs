using System.Security.Claims;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace Luigi.Web.Dashboard;

/// <summary>
/// The person using a dashboard page, for its actions: every handler that acts (trigger, re-run, cancel, test e-mail,
/// users, tokens) calls <see cref="DemandAsync"/> first, on the server, so hiding a button is never the only guard.
/// The user is the page's current authentication state, which <see cref="AuthOptions.RevalidationInterval"/> keeps
/// checked against the database.
/// </summary>
public sealed class DashboardUser(IServiceProvider services)
{
    /// <summary>The signed-in user; an anonymous principal when nobody is.</summary>
    public async Task<ClaimsPrincipal> PrincipalAsync()
    {
        if (services.GetService<AuthenticationStateProvider>() is { } provider)
        {
            try
            {
                return (await provider.GetAuthenticationStateAsync()).User;
            }
            catch (InvalidOperationException)
            {
                // No authentication state outside a circuit (prerendering without sign-in): nobody is signed in.
            }
        }

        return new ClaimsPrincipal(new ClaimsIdentity());
    }

    /// <summary>Whether the user satisfies <paramref name="policy"/> (one of <see cref="LuigiPolicies"/>).</summary>
    public async Task<bool> CanAsync(string policy) => await CanAsync(await PrincipalAsync(), policy);

    /// <summary>
    /// The user's name when they satisfy <paramref name="policy"/>; otherwise throws, saying they may not
    /// <paramref name="action"/> (e.g. "cancel runs").
    /// </summary>
    /// <exception cref="DashboardAccessDeniedException">The user may not do this.</exception>
    public async Task<string> DemandAsync(string policy, string action)
    {
        var user = await PrincipalAsync(); // once: the name recorded is that of the user just checked
        if (!await CanAsync(user, policy))
        {
            var needed = policy switch
            {
                LuigiPolicies.Administer => LuigiRoles.Admin,
                LuigiPolicies.Operate => LuigiRoles.Operator,
                _ => LuigiRoles.Viewer,
            };
            throw new DashboardAccessDeniedException($"You may not {action}: that needs the {needed} role. Ask an administrator.");
        }

        return NameOf(user);
    }

    /// <summary>The signed-in user's id (<see cref="ClaimTypes.NameIdentifier"/>); null when nobody is signed in.</summary>
    public async Task<string?> IdAsync() =>
        (await PrincipalAsync()) is { Identity.IsAuthenticated: true } principal ? principal.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    /// <summary>The name recorded as <c>RequestedBy</c>: the signed-in user's name, else "anonymous".</summary>
    public async Task<string> NameAsync() => NameOf(await PrincipalAsync());

    private async Task<bool> CanAsync(ClaimsPrincipal user, string policy) =>
        services.GetService<IAuthorizationService>() is { } authorization && (await authorization.AuthorizeAsync(user, policy)).Succeeded;

    private static string NameOf(ClaimsPrincipal user) => user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : "anonymous";
}

/// <summary>A dashboard action refused to the user on the server; the message says why, for the page to show.</summary>
public sealed class DashboardAccessDeniedException(string message) : Exception(message);
