using System.Security.Claims;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Components;

/// <summary>
/// Which of the product's policies a user with a role satisfies, decided by the product's own policies
/// (<see cref="LuigiAuthorization.AddLuigiPolicies"/>), not by a list the tests keep: bUnit's authorization stand-in is
/// told exactly these, so a Viewer's refusal in a component test is the refusal the host would give.
/// </summary>
internal static class ProductPolicies
{
    private static readonly Lazy<IAuthorizationService> Service = new(() =>
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(new AuthOptions());
        services.AddLuigiPolicies();
        return services.BuildServiceProvider().GetRequiredService<IAuthorizationService>();
    });

    public static async Task<string[]> SatisfiedByAsync(string name, string role)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "test"));
        var satisfied = new List<string>();
        foreach (var policy in new[] { LuigiPolicies.View, LuigiPolicies.Operate, LuigiPolicies.Administer })
        {
            if ((await Service.Value.AuthorizeAsync(user, policy)).Succeeded)
            {
                satisfied.Add(policy);
            }
        }

        return [.. satisfied];
    }
}
