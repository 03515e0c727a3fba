using System.Text.Json;
using Luigi.Engine.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Luigi.Web.Reliability;

/// <summary>Health endpoints and the answer to requests made while the store is unreachable (docs/reliability.md).</summary>
public static class ReliabilitySetup
{
    /// <summary>The liveness endpoint: the process answers (no dependency is checked, so a database outage never
    /// gets a host restarted).</summary>
    public const string LivenessPath = "/healthz";

    /// <summary>The readiness endpoint: the store answers with its migrations applied and this host's executor beats.</summary>
    public const string ReadinessPath = "/healthz/ready";

    private const string ReadyTag = "ready";

    /// <summary>
    /// Registers the readiness checks (<c>store</c>, <c>executor</c>) and <see cref="StoreOutageHandler"/>, which turns a
    /// request failed by a store outage into a 503 with <c>Retry-After</c>.
    /// </summary>
    public static IServiceCollection AddLuigiReliability(this IServiceCollection services)
    {
        services.AddExceptionHandler<StoreOutageHandler>();
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<ExecutorHealthCheck>("executor", tags: [ReadyTag]);
        return services;
    }

    /// <summary>The web host's store for reads (the API, the dashboard): on PostgreSQL its operations are retried
    /// briefly when a connection breaks (<see cref="StoreReadRetry"/>).</summary>
    public static LuigiStore CreateReadStore(StoreOptions options) =>
        LuigiStore.Create(options, dependencies => new StoreReadRetry(dependencies));

    /// <summary>Maps <see cref="LivenessPath"/> and <see cref="ReadinessPath"/>, open to anonymous callers (container
    /// health checks and load balancers sign in as nobody).</summary>
    public static IEndpointRouteBuilder MapLuigiHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteReportAsync })
            .AllowAnonymous();
        return app;
    }

    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, cancellationToken: context.RequestAborted);
    }
}
