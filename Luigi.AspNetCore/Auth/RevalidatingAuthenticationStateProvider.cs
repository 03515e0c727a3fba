using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Luigi.Web.Auth;

/// <summary>
/// The signed-in user of an open dashboard page (a Blazor circuit), checked against the database every
/// <see cref="AuthOptions.RevalidationInterval"/> (<see cref="Sessions"/>): when the user is deleted or locked, or their
/// role or password changed (a new security stamp), the page loses its rights and its actions are refused.
/// </summary>
internal sealed class RevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> identity, AuthOptions options, TimeProvider time)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken)
    {
        if (Sessions.Of(state.User, identity.Value.ClaimsIdentity.SecurityStampClaimType) is not { } session)
        {
            return state.User.Identity?.IsAuthenticated != true; // nobody: nothing to lose; signed in without a session's stamp: refuse
        }

        await using var scope = scopes.CreateAsyncScope();
        var stale = await Sessions.StaleAsync(scope.ServiceProvider.GetRequiredService<AuthDbContext>(), [session], time.GetUtcNow(), cancellationToken);
        return stale.Count == 0;
    }
}
