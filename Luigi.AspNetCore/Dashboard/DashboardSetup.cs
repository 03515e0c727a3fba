using Luigi.Web.Components;
using Luigi.Web.Live;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Luigi.Web.Dashboard;

/// <summary>Registration and endpoints of the Blazor Server dashboard.</summary>
public static class DashboardSetup
{
    /// <summary>
    /// Registers the dashboard: interactive server components and the services its pages use. Its pages take
    /// their live changes from the <see cref="ILiveFeed"/> that <c>AddLuigiLive</c> registers.
    /// </summary>
    public static IServiceCollection AddLuigiDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.TryAddSingleton<PipelinePreviewResolver>();
        services.TryAddSingleton<DryRunPlanner>();
        services.TryAddSingleton<TaskOutputChecker>();
        services.TryAddScoped<DashboardUser>();
        services.TryAddScoped<ViewerTimeZone>();
        services.TryAddScoped<Luigi.Web.Auth.UserAdministration>();
        services.TryAddScoped<Luigi.Web.Auth.PersonalTokens>();
        return services;
    }

    /// <summary>Maps the dashboard's pages and static assets (after the API, so <c>/api</c> keeps its routes); the antiforgery
    /// middleware is in front of them (<c>MapLuigi</c>).</summary>
    public static IEndpointRouteBuilder MapLuigiDashboard(this IEndpointRouteBuilder app)
    {
        app.MapStaticAssets().AllowAnonymous(); // the sign-in page needs its styles and scripts before anyone signs in
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
