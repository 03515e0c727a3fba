using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;

namespace Luigi.Engine.Monitoring;

/// <summary>
/// The engine's metrics and traces, through <see cref="System.Diagnostics"/> only: a <see cref="Meter"/> and an
/// <see cref="ActivitySource"/> both named <see cref="Name"/>, which OpenTelemetry (or <c>dotnet-counters</c>) listens
/// to; the engine references no exporter. Counters are fed by <c>TelemetryObserver</c> from what the executor
/// commits, the gauges by <see cref="UpdateStore"/> from store queries (<see cref="StoreGauges"/>); claim latency and
/// attempt spans come from the executor through <see cref="RecordClaim"/> and <see cref="StartAttempt"/>.
/// </summary>
/// <remarks>
/// A run is one trace on every host: its trace id is derived from the run id (<see cref="RunContext"/>), so the spans of
/// attempts run by several hosts land in one trace, with the run's own span, which the host that commits the run's end
/// emits with the run's start and end times from the store. Instances are singletons of a host; tests may make their own.
/// </remarks>
public sealed class LuigiTelemetry : IDisposable
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "Luigi";

    private readonly Meter _meter;
    private readonly Counter<long> _tasksStarted;
    private readonly Counter<long> _tasksFinished;
    private readonly Histogram<double> _attemptDuration;
    private readonly Counter<long> _runsFinished;
    private readonly Histogram<double> _runDuration;
    private readonly Histogram<double> _claimDuration;
    private volatile StoreGauges? _store;

    /// <summary>Creates the instruments, on a meter of <paramref name="meters"/> when given (dependency injection), or a meter of its own.</summary>
    public LuigiTelemetry(IMeterFactory? meters = null)
    {
        var version = typeof(LuigiTelemetry).Assembly.GetName().Version?.ToString();
        _meter = meters?.Create(Name, version) ?? new Meter(Name, version);
        Source = new ActivitySource(Name, version);
        _tasksStarted = _meter.CreateCounter<long>("luigi.tasks.started", "{task}", "Attempts started, by pipeline.");
        _tasksFinished = _meter.CreateCounter<long>("luigi.tasks.finished", "{task}",
            "Tasks that reached a final state (Done, Failed, UpstreamFailed, Cancelled), by pipeline and state.");
        _attemptDuration = _meter.CreateHistogram<double>("luigi.task.attempt.duration", "s",
            "How long attempts ran, by pipeline and outcome (Done, Failed, RetryWaiting, Cancelled).");
        _runsFinished = _meter.CreateCounter<long>("luigi.runs.finished", "{run}", "Runs that ended, by pipeline and state.");
        _runDuration = _meter.CreateHistogram<double>("luigi.run.duration", "s", "From a run's start to its end, by pipeline and state.");
        _claimDuration = _meter.CreateHistogram<double>("luigi.claim.duration", "s", "How long one claim of ready tasks took, by whether it found any.");
        _meter.CreateObservableGauge("luigi.tasks.ready", () => Gauge(s => s.Ready), "{task}", "Tasks ready to run, in the whole store.");
        _meter.CreateObservableGauge("luigi.tasks.running", () => Gauge(s => s.Running), "{task}", "Tasks running on any host, in the whole store.");
        _meter.CreateObservableGauge("luigi.email.outbox.pending", () => Gauge(s => s.EmailPending), "{message}", "E-mail messages waiting to be sent.");
    }

    /// <summary>The source of the run and attempt spans.</summary>
    public ActivitySource Source { get; }

    /// <summary>This instance's meter (tests listen to it alone).</summary>
    internal Meter Meter => _meter;

    /// <summary>An attempt of a task started on this host.</summary>
    public void RecordTaskStarted(string pipeline) => _tasksStarted.Add(1, new KeyValuePair<string, object?>("pipeline", pipeline));

    /// <summary>A task reached a final state.</summary>
    public void RecordTaskFinished(string pipeline, TaskState state) =>
        _tasksFinished.Add(1, new KeyValuePair<string, object?>("pipeline", pipeline), new KeyValuePair<string, object?>("state", state.ToString()));

    /// <summary>An attempt ended with <paramref name="outcome"/> after <paramref name="duration"/>.</summary>
    public void RecordAttempt(string pipeline, TaskState outcome, TimeSpan duration) =>
        _attemptDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("pipeline", pipeline),
            new KeyValuePair<string, object?>("outcome", outcome.ToString()));

    /// <summary>A run ended in <paramref name="state"/>; <paramref name="duration"/> from its start, when it started.</summary>
    public void RecordRunFinished(string pipeline, string state, TimeSpan? duration)
    {
        KeyValuePair<string, object?>[] tags = [new("pipeline", pipeline), new("state", state)];
        _runsFinished.Add(1, tags);
        if (duration is { } elapsed)
        {
            _runDuration.Record(elapsed.TotalSeconds, tags);
        }
    }

    /// <summary>
    /// Hook for the executor: one claim of ready tasks (the statement that picks and leases them) took
    /// <paramref name="latency"/> and handed out <paramref name="claimed"/> tasks.
    /// </summary>
    public void RecordClaim(TimeSpan latency, int claimed) =>
        _claimDuration.Record(latency.TotalSeconds, new KeyValuePair<string, object?>("found", claimed > 0));

    /// <summary>
    /// Hook for the executor: starts the span of one attempt, in its run's trace (<see cref="RunContext"/>), to
    /// be disposed when the attempt ends; whatever the task does meanwhile (its database calls, HTTP calls) nests in it.
    /// Null when nobody listens. Mark a failed attempt with <see cref="EndAttempt"/> before disposing it.
    /// </summary>
    public Activity? StartAttempt(Guid runId, string pipeline, string taskId, int attempt, int? worker = null)
    {
        var activity = Source.StartActivity("luigi.attempt", ActivityKind.Internal, RunContext(runId));
        if (activity is not null)
        {
            activity.DisplayName = $"attempt {attempt} of {taskId}";
            activity.SetTag("luigi.run.id", runId.ToString());
            activity.SetTag("luigi.pipeline", pipeline);
            activity.SetTag("luigi.task.id", taskId);
            activity.SetTag("luigi.attempt", attempt);
            activity.SetTag("luigi.worker", worker);
        }

        return activity;
    }

    /// <summary>Records how an attempt's span ended: its outcome, and the error of a failed one.</summary>
    public static void EndAttempt(Activity? activity, TaskState outcome, Exception? error = null)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("luigi.outcome", outcome.ToString());
        if (error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
            activity.AddException(error);
        }
    }

    /// <summary>
    /// Emits the span of a whole run, from <paramref name="start"/> to <paramref name="end"/> (times from the store), in the
    /// run's trace (<see cref="RunContext"/>) beside the spans of its attempts, sent earlier from any host.
    /// </summary>
    public void EmitRun(Guid runId, string pipeline, string state, DateTime start, DateTime end)
    {
        var activity = Source.CreateActivity("luigi.run", ActivityKind.Internal, RunContext(runId));
        if (activity is null)
        {
            return;
        }

        activity.DisplayName = $"run {pipeline}";
        activity.SetStartTime(start);
        activity.SetTag("luigi.run.id", runId.ToString());
        activity.SetTag("luigi.pipeline", pipeline);
        activity.SetTag("luigi.run.state", state);
        if (state == "Failed")
        {
            activity.SetStatus(ActivityStatusCode.Error, "The run failed.");
        }

        activity.Start();
        activity.SetEndTime(end);
        activity.Stop();
    }

    /// <summary>
    /// The trace context of a run: the trace id is the run id's 16 bytes and the parent span id 8 bytes of its hash, so
    /// every host derives the same without asking another. That parent is not itself emitted (no host sees a whole run
    /// from its start); the run's span and its attempts' spans are its children, side by side in one trace.
    /// </summary>
    public static ActivityContext RunContext(Guid runId)
    {
        Span<byte> bytes = stackalloc byte[16];
        runId.TryWriteBytes(bytes, bigEndian: true, out _);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return new ActivityContext(ActivityTraceId.CreateFromBytes(bytes), ActivitySpanId.CreateFromBytes(hash[..8]), ActivityTraceFlags.Recorded);
    }

    /// <summary>The latest counts of the store, read by the gauges at collection time.</summary>
    public void UpdateStore(StoreGauges gauges) => _store = gauges;

    private IEnumerable<Measurement<long>> Gauge(Func<StoreGauges, long> value) =>
        _store is { } store ? [new Measurement<long>(value(store))] : [];

    public void Dispose()
    {
        Source.Dispose();
        _meter.Dispose();
    }
}

/// <summary>Counts of the whole store behind the gauges, read every so often (one host's view; every host reports the same).</summary>
/// <param name="Ready">Tasks ready to run (pending or waiting to retry, with every requirement done).</param>
/// <param name="Running">Tasks running on any host.</param>
/// <param name="EmailPending">E-mail messages not yet sent or skipped.</param>
public sealed record StoreGauges(long Ready, long Running, long EmailPending);
