using System.Net;
using Luigi.Web.Tests.Email;
using Luigi.Web.Tests.EndToEnd;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Engine.Execution;
using Luigi.Web.Tests.Faults;

namespace Luigi.Web.Tests.Monitoring;

/// <summary>The host's metrics as an operator sees them: scraped by a real Prometheus server and queried there.</summary>
public sealed class MetricsTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    /// <remarks>
    /// The host is a process of its own (<c>dotnet Luigi.Web.dll</c>, as deployed): the metrics pipeline listens to meters
    /// by name, and in the test process other tests' hosts and meters of the same name come and go.
    /// </remarks>
    [Fact]
    public async Task Prometheus_ScrapesTheHost_AndAnswersForTheFinishedTaskCounter()
    {
        var data = Directory.CreateTempSubdirectory("luigi-metrics-data-").FullName;
        await using var host = await HostProcess.StartAsync(await postgres.CreateDatabaseAsync(), data, HostProcess.NewToken(), new Dictionary<string, string>
        {
            ["Luigi:Telemetry:Prometheus"] = "true", ["Luigi:Telemetry:GaugeInterval"] = "00:00:00.500",
        });
        var runId = await host.TriggerAsync("ComplexExample", new Dictionary<string, object> { ["delayMs"] = "0" });
        Assert.Equal(nameof(RunState.Succeeded), await Eventually.Async(() => host.RunStateAsync(runId), state => state is "Succeeded" or "Failed" or "Cancelled", Guard));

        using var anonymous = new HttpClient { BaseAddress = new Uri(host.BaseUrl) }; // Prometheus scrapes without credentials
        var scrape = await Eventually.Async(() => anonymous.GetStringAsync("/metrics"),
            text => text.Contains("luigi_tasks_finished_total{", StringComparison.Ordinal) && text.Contains("luigi_tasks_ready", StringComparison.Ordinal), Guard);
        Assert.Contains("luigi_tasks_started_total{", scrape);
        Assert.Contains("luigi_task_attempt_duration_seconds_bucket{", scrape);
        Assert.Contains("luigi_runs_finished_total{", scrape);

        await using var prometheus = await PrometheusServer.StartAsync(new Uri(host.BaseUrl).Authority, "/metrics");
        double? done;
        try
        {
            done = await Eventually.Async(
                () => prometheus.QueryAsync("sum(luigi_tasks_finished_total{pipeline=\"ComplexExample\",state=\"Done\"})"), value => value is not null, Guard);
        }
        catch (TimeoutException timeout)
        {
            var served = (await anonymous.GetStringAsync("/metrics")).Split('\n').Where(line => line.Contains("luigi", StringComparison.Ordinal)).Take(30);
            throw new TimeoutException(
                $"{timeout.Message}. Prometheus's target: {await prometheus.TargetsAsync()}; it holds: {await prometheus.QueryTextAsync("luigi_tasks_finished_total")}; " +
                $"the host serves: {string.Join(" | ", served)}", timeout);
        }

        Assert.Equal(7, done);
        Assert.True(await prometheus.TargetUpAsync());
        Assert.Equal(1, await prometheus.QueryAsync("sum(luigi_runs_finished_total{pipeline=\"ComplexExample\",state=\"Succeeded\"})"));
        await host.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Metrics_AreThisHostsAlone_AndOutliveAnotherHostOfTheProcess()
    {
        // Another host in the same process, started first and stopped in the middle: its instruments have the same
        // names as this host's.
        var other = await DashboardHost.StartAsync(postgres);
        await using var host = await DashboardHost.StartAsync(postgres, new Dictionary<string, string> { ["Luigi:Telemetry:Prometheus"] = "true" });
        var otherExecutor = other.Services.GetRequiredService<StoreExecutor>();
        var executor = host.Services.GetRequiredService<StoreExecutor>();
        var theirs = await otherExecutor.EnqueueAsync(new RunRequest("CountingPipeline", new Dictionary<string, string> { ["key"] = Guid.NewGuid().ToString("N"), ["tasks"] = "3" }, RunTrigger.Api));
        var ours = await executor.EnqueueAsync(new RunRequest("ComplexExample", new Dictionary<string, string> { ["delayMs"] = "0" }, RunTrigger.Api));
        Assert.Equal(RunState.Succeeded, await otherExecutor.WaitForRunAsync(theirs).WaitAsync(Guard));
        Assert.Equal(RunState.Succeeded, await executor.WaitForRunAsync(ours).WaitAsync(Guard));
        using var anonymous = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        await Eventually.Async(() => anonymous.GetStringAsync("/metrics"), text => text.Contains("pipeline=\"ComplexExample\"", StringComparison.Ordinal), Guard);

        await other.DisposeAsync();
        var scrape = await anonymous.GetStringAsync("/metrics");

        var finished = scrape.Split('\n').Where(line => line.StartsWith("luigi_tasks_finished_total", StringComparison.Ordinal)).ToList();
        Assert.Contains(finished, line => line.Contains("pipeline=\"ComplexExample\"", StringComparison.Ordinal) && line.Contains("state=\"Done\"", StringComparison.Ordinal));
        Assert.DoesNotContain(finished, line => line.Contains("pipeline=\"CountingPipeline\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_AreNotServed_UnlessPrometheusIsOn()
    {
        await using var host = await DashboardHost.StartAsync(postgres);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(host.BaseUrl) };

        using var response = await anonymous.GetAsync("/metrics");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode); // no such endpoint: the fallback asks for a sign-in
        Assert.DoesNotContain("luigi_tasks", await response.Content.ReadAsStringAsync());
    }
}
