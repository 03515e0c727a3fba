using Luigi.Engine.Monitoring;
using Luigi.Engine.Storage;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Luigi.Engine.Events;

namespace Luigi.Web.Monitoring;

/// <summary>
/// OpenTelemetry for the host (docs/observability.md): the engine's meter and activity source (<see cref="LuigiTelemetry"/>),
/// ASP.NET Core's requests and Npgsql's commands, exported with OTLP when an endpoint is configured and served for
/// Prometheus when <c>Luigi:Telemetry:Prometheus</c> is true. Nothing is collected, and no observer added, otherwise.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Registers the telemetry described by <c>Luigi:Telemetry</c> (validated now).</summary>
    public static IServiceCollection AddLuigiTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(sp => new LuigiTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        if (!options.Enabled)
        {
            return services;
        }

        services.AddSingleton(sp => new TelemetryObserver(sp.GetRequiredService<LuigiStore>(), sp.GetRequiredService<LuigiTelemetry>(),
            sp.GetRequiredService<ILogger<TelemetryObserver>>()));
        services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<TelemetryObserver>());
        services.AddSingleton(sp => new StoreGaugeReader(sp.GetRequiredService<LuigiStore>(),
            sp.GetService<Email.EmailOutbox>() is { } outbox ? outbox.PendingCountAsync : null));
        services.AddHostedService<StoreGaugeService>();

        var otlp = options.EffectiveOtlpEndpoint;
        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(options.ServiceName));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(LuigiTelemetry.Name).AddAspNetCoreInstrumentation();
            if (options.Prometheus)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlp is not null)
            {
                metrics.AddOtlpExporter(exporter => Configure(exporter, options, otlp, "v1/metrics"));
            }
        });
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(LuigiTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(exporter => Configure(exporter, options, otlp, "v1/traces")));
        }

        return services;
    }

    /// <summary>Maps the Prometheus scrape endpoint when it is on; open to anonymous callers, as Prometheus servers scrape
    /// without credentials (keep the port off public networks).</summary>
    public static IEndpointRouteBuilder MapLuigiMetrics(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<TelemetryOptions>();
        if (options.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint(options.PrometheusPath).AllowAnonymous();
        }

        return app;
    }

    /// <summary>Points an exporter at the collector. Over HTTP each signal has its own path (<paramref name="signalPath"/>),
    /// which the exporter adds only to an endpoint from the environment: here it is added to the configured base URL.</summary>
    private static void Configure(OtlpExporterOptions exporter, TelemetryOptions options, string endpoint, string signalPath)
    {
        var http = options.OtlpProtocol == "http/protobuf";
        exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        exporter.Endpoint = http ? new Uri(new Uri(endpoint.TrimEnd('/') + "/"), signalPath) : new Uri(endpoint);
    }
}
