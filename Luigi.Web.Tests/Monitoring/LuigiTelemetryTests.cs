using System.Diagnostics;
using System.Diagnostics.Metrics;
using Luigi.Engine;
using Luigi.Engine.Monitoring;

namespace Luigi.Web.Tests.Monitoring;

/// <summary>The engine's telemetry API, as the executor's hooks use it: one trace per run on every host, claim latency.</summary>
public sealed class LuigiTelemetryTests
{
    [Fact]
    public void AttemptSpans_OfOneRun_ShareTheRunsTrace_WhicheverHostStartsThem()
    {
        using var listener = ListenToSpans(out var spans);
        using var hostA = new LuigiTelemetry();
        using var hostB = new LuigiTelemetry();
        var runId = Guid.NewGuid();

        using (var first = hostA.StartAttempt(runId, "DailySales", "CleanOrders(date=2026-12-01)", attempt: 1, worker: 2))
        {
            LuigiTelemetry.EndAttempt(first, TaskState.RetryWaiting, new InvalidOperationException("flaky"));
        }

        using (hostB.StartAttempt(runId, "DailySales", "CleanOrders(date=2026-12-01)", attempt: 2))
        {
        }

        hostA.EmitRun(runId, "DailySales", "Succeeded", DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow);

        var run = LuigiTelemetry.RunContext(runId);
        Assert.Equal(3, spans.Count);
        Assert.All(spans, span => Assert.Equal(run.TraceId, span.TraceId));
        Assert.All(spans, span => Assert.Equal(run.SpanId, span.ParentSpanId));
        Assert.Equal(ActivityStatusCode.Error, spans[0].Status);
        Assert.Equal("RetryWaiting", spans[0].GetTagItem("luigi.outcome"));
        var runSpan = spans[2];
        Assert.Equal("luigi.run", runSpan.OperationName);
        Assert.InRange(runSpan.Duration, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(61));
        Assert.Equal(run, LuigiTelemetry.RunContext(runId)); // every host derives the same
    }

    [Fact]
    public void RecordClaim_FeedsTheClaimLatencyHistogram()
    {
        var recorded = new List<(string Instrument, double Value)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == LuigiTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            lock (recorded)
            {
                recorded.Add((instrument.Name, value));
            }
        });
        meters.Start();
        using var telemetry = new LuigiTelemetry();

        telemetry.RecordClaim(TimeSpan.FromMilliseconds(12), claimed: 4);

        lock (recorded)
        {
            Assert.Contains(("luigi.claim.duration", 0.012), recorded);
        }
    }

    private static ActivityListener ListenToSpans(out List<Activity> spans)
    {
        var stopped = new List<Activity>();
        spans = stopped;
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LuigiTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (stopped)
                {
                    stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
