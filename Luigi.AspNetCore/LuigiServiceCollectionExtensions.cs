using Luigi.Web;

// In the namespace of IServiceCollection, like AddHangfire and AddQuartz, so that a team's Program needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Luigi to an ASP.NET Core app's services (docs/authoring.md, "Add Luigi to your own ASP.NET Core app").</summary>
public static class LuigiServiceCollectionExtensions
{
    /// <summary>
    /// Registers what Luigi needs: the store (<c>Luigi:Store</c>, <c>ConnectionStrings:Luigi</c>), the engine's settings
    /// (<c>Luigi:Engine</c>), this host's executor (<c>Luigi:Executor</c>) running as a hosted service, the pipelines
    /// (<c>Luigi:Pipelines:Assemblies</c>, <c>AddLuigiPipeline</c>), the live feed (<c>Luigi:Live</c>), failure e-mail
    /// (<c>Luigi:Email</c>), the host's role (<c>Luigi:Host:Role</c>), sign-in (<c>Luigi:Auth</c>), the retention of runs
    /// (<c>Luigi:Retention</c>), schedules and backfills (<c>Luigi:Schedules</c>), readiness and the dashboard. The settings
    /// are validated now; then map the endpoints with <c>app.MapLuigi("/luigi")</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting is invalid; the message names it.</exception>
    public static IServiceCollection AddLuigi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddLuigiWeb(configuration);
    }
}
