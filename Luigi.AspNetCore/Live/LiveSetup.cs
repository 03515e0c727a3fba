using Luigi.Engine.Execution;
using System.Text.Json.Serialization;
using Luigi.Engine.Storage;
using Microsoft.AspNetCore.SignalR;
using Luigi.Web.Live;
using Microsoft.Extensions.Options;
using Luigi.Engine.Events;

namespace Luigi.Web;

/// <summary>Registration and endpoint of the live feed and its hub (in this namespace, so that <see cref="LuigiWebSetup"/> needs no import).</summary>
public static class LiveSetup
{
    /// <summary>
    /// Registers the live feed: <see cref="LiveFeed"/> (one per host; the executor's observer, and the
    /// <see cref="ILiveFeed"/> of the dashboard), its settings (<c>Luigi:Live</c>, validated at start), the
    /// relay between hosts on PostgreSQL, SignalR with the JSON protocol (enums by name) and the bridge from
    /// the feed to <see cref="LiveHub"/>. Needs what <c>AddLuigi</c> registers (the store and the executor).
    /// </summary>
    public static IServiceCollection AddLuigiLive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LiveOptions>().Bind(configuration.GetSection(LiveOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LiveOptions>, LiveOptionsValidator>();
        services.AddSingleton(sp => new LiveFeed(
            sp.GetRequiredService<IOptions<LiveOptions>>().Value, sp.GetRequiredService<HostIdentity>().Id,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LiveFeed>>()));
        services.AddSingleton<ILiveFeed>(sp => sp.GetRequiredService<LiveFeed>());
        services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<LiveFeed>());
        services.AddSingleton(sp =>
        {
            var store = sp.GetRequiredService<LuigiStore>();
            return new PostgresLiveRelay(sp.GetRequiredService<LiveFeed>(), store.Provider, store.ConnectionString,
                sp.GetRequiredService<IOptions<LiveOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PostgresLiveRelay>>());
        });
        services.AddHostedService(sp => sp.GetRequiredService<PostgresLiveRelay>());
        services.AddSingleton<LiveHubAccess>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveHubAccess>());
        services.AddSignalR()
            .AddHubOptions<LiveHub>(hub => hub.AddFilter<LiveHubAccess>())
            .AddJsonProtocol(json => json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddHostedService<LiveHubBridge>();
        return services;
    }

    /// <summary>Maps <see cref="LiveHub"/> at <see cref="LiveHub.Path"/> (its access: see <see cref="LiveHub"/>).</summary>
    public static HubEndpointConventionBuilder MapLuigiLive(this IEndpointRouteBuilder app) => app.MapHub<LiveHub>(LiveHub.Path);
}
