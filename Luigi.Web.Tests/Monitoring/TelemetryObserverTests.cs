using System.Diagnostics.Metrics;
using Luigi.Engine;
using Luigi.Engine.Monitoring;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Monitoring;

/// <summary>The counters and histograms as a run with a retry, a failure and a blocked task leaves them.</summary>
public sealed class TelemetryObserverTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Run_CountsAttemptsAndFinalStates_ByPipeline(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        using var telemetry = new LuigiTelemetry();
        var measurements = new List<(string Instrument, double Value, Dictionary<string, string?> Tags)>();
        using var listener = Listen(telemetry, measurements);
        var observer = new TelemetryObserver(store, telemetry);
        var executor = new StoreExecutor(store, StoreFactory.Pipelines, new LuigiEngineOptions { Workers = 2 }, StoreFactory.FastOptions(),
            observers: [observer]);
        var runId = await executor.EnqueueAsync(new RunRequest("CountingPipeline", new Dictionary<string, string>
        {
            ["key"] = Guid.NewGuid().ToString("N"), ["tasks"] = "6", ["width"] = "3", ["failTask"] = "CountingTask(index=1)",
        }, RunTrigger.Api));
        await using (var host = new RunningHost(store, executor))
        {
            Assert.Equal(RunState.Failed, await host.WaitAsync(runId));
        }

        await observer.DisposeAsync(); // records everything it was told

        List<(string Instrument, double Value, Dictionary<string, string?> Tags)> seen;
        lock (measurements)
        {
            seen = [.. measurements];
        }

        Assert.All(seen, m => Assert.Equal("CountingPipeline", m.Tags["pipeline"]));
        Assert.Equal(6, seen.Where(m => m.Instrument == "luigi.tasks.started").Sum(m => m.Value)); // 5 tasks ran, one twice
        var finished = seen.Where(m => m.Instrument == "luigi.tasks.finished").GroupBy(m => m.Tags["state"]).ToDictionary(g => g.Key!, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, double> { ["Done"] = 4, ["Failed"] = 1, ["UpstreamFailed"] = 1 }, finished);
        var attempts = seen.Where(m => m.Instrument == "luigi.task.attempt.duration").GroupBy(m => m.Tags["outcome"]).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["Done"] = 4, ["RetryWaiting"] = 1, ["Failed"] = 1 }, attempts);
        var run = Assert.Single(seen, m => m.Instrument == "luigi.runs.finished");
        Assert.Equal("Failed", run.Tags["state"]);
        Assert.Single(seen, m => m.Instrument == "luigi.run.duration");
    }

    private static MeterListener Listen(LuigiTelemetry telemetry, List<(string, double, Dictionary<string, string?>)> into)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == telemetry.Meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, string?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value?.ToString();
            }

            lock (into)
            {
                into.Add((instrument.Name, value, copy));
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        return listener;
    }
}
