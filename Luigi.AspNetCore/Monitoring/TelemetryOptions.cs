namespace Luigi.Web.Monitoring;

/// <summary>Where the host's metrics and traces go (<c>Luigi:Telemetry</c>); nothing is collected unless one is set.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Luigi:Telemetry";

    /// <summary>An OpenTelemetry collector's OTLP endpoint (e.g. <c>http://collector:4317</c>), for metrics and traces.
    /// Unset: OTLP is off, unless the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable names one.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Serve the metrics for a Prometheus server to scrape at <see cref="PrometheusPath"/>.</summary>
    public bool Prometheus { get; set; }

    /// <summary>The scrape endpoint's path.</summary>
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>The service name on every metric and span (<c>service.name</c>).</summary>
    public string ServiceName { get; set; } = "luigi";

    /// <summary>How often the store-wide gauges (ready and running tasks, e-mail waiting) are read from the store.</summary>
    public TimeSpan GaugeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The OTLP endpoint in effect: the setting, or the standard environment variable.</summary>
    public string? EffectiveOtlpEndpoint =>
        string.IsNullOrWhiteSpace(OtlpEndpoint) ? Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } variable ? variable : null : OtlpEndpoint;

    /// <summary>Whether anything collects the host's telemetry.</summary>
    public bool Enabled => Prometheus || EffectiveOtlpEndpoint is not null;

    /// <summary>Throws when a setting cannot work, naming it.</summary>
    public void Validate()
    {
        if (EffectiveOtlpEndpoint is { } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"{Section}:OtlpEndpoint is '{endpoint}': give an absolute URL, such as http://collector:4317.");
        }

        if (OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            throw new InvalidOperationException($"{Section}:OtlpProtocol is '{OtlpProtocol}': use grpc or http/protobuf.");
        }

        if (!PrometheusPath.StartsWith('/'))
        {
            throw new InvalidOperationException($"{Section}:PrometheusPath is '{PrometheusPath}': give a path starting with /, such as /metrics.");
        }

        if (GaugeInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{Section}:GaugeInterval is {GaugeInterval}: it must be positive, e.g. 00:00:15.");
        }
    }
}
