using Microsoft.AspNetCore.Components.Authorization;

namespace Luigi.Web.Dashboard;

/// <summary>Who asks for a run or a cancel from the dashboard: the signed-in user's name, else "dashboard".</summary>
public sealed class DashboardUser(IServiceProvider services)
{
    /// <summary>The name recorded as <c>RequestedBy</c>.</summary>
    public async Task<string> NameAsync()
    {
        if (services.GetService<AuthenticationStateProvider>() is { } provider)
        {
            try
            {
                var state = await provider.GetAuthenticationStateAsync();
                if (state.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name })
                {
                    return name;
                }
            }
            catch (InvalidOperationException)
            {
                // No authentication state outside a circuit (prerendering without sign-in): nobody is signed in.
            }
        }

        return "dashboard";
    }
}
