using Microsoft.AspNetCore.Authorization;

namespace Luigi.Web.Auth;

/// <summary>Seeing anything: a user holding any role, or anyone when <see cref="AuthOptions.AllowAnonymousViewers"/> is on.</summary>
public sealed class ViewRequirement : IAuthorizationRequirement;

/// <summary>Decides <see cref="ViewRequirement"/>.</summary>
internal sealed class ViewRequirementHandler(AuthOptions options) : AuthorizationHandler<ViewRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ViewRequirement requirement)
    {
        if (options.AllowAnonymousViewers || LuigiRoles.All.Any(context.User.IsInRole))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>The policies of <see cref="LuigiPolicies"/>.</summary>
public static class LuigiAuthorization
{
    /// <summary>
    /// Adds the policies, with <see cref="LuigiPolicies.View"/> as the fallback of every endpoint that names none (and of
    /// requests that match no endpoint) unless <paramref name="fallback"/> is false: an executor-only host serves only
    /// its anonymous health check and answers anything else 404, not with a way to sign in that it does not have.
    /// </summary>
    public static IServiceCollection AddLuigiPolicies(this IServiceCollection services, bool fallback = true)
    {
        services.AddSingleton<IAuthorizationHandler, ViewRequirementHandler>();
        var view = new AuthorizationPolicyBuilder().AddRequirements(new ViewRequirement()).Build();
        var policies = services.AddAuthorizationBuilder()
            .AddPolicy(LuigiPolicies.View, view)
            .AddPolicy(LuigiPolicies.Operate, p => p.RequireAuthenticatedUser().RequireRole(LuigiRoles.AtLeast(LuigiRoles.Operator)))
            .AddPolicy(LuigiPolicies.Administer, p => p.RequireAuthenticatedUser().RequireRole(LuigiRoles.AtLeast(LuigiRoles.Admin)));
        if (fallback)
        {
            policies.SetFallbackPolicy(view);
        }

        services.AddHttpContextAccessor();
        services.AddSingleton<LuigiMount>();
        services.AddSingleton<IAuthorizationPolicyProvider, MountedPolicyProvider>(); // the fallback covers Luigi's requests only

        return services;
    }
}
