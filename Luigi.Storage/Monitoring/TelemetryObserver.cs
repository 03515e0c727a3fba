using System.Collections.Concurrent;
using System.Threading.Channels;
using Luigi.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Engine.Monitoring;

/// <summary>
/// Feeds <see cref="LuigiTelemetry"/>'s counters and histograms from what this host's executor commits: attempts
/// started and their durations, tasks that reached a final state, runs that ended (with a span per run). The executor
/// calls observers on its hot path, so this only queues each change; a loop of its own records them, reading from the
/// store what a change does not carry (the pipeline of a run another host resolved, a run's start and end).
/// </summary>
public sealed class TelemetryObserver : IRunObserver, IAsyncDisposable
{
    private const int MaxTracked = 100_000;

    private readonly LuigiStore _store;
    private readonly LuigiTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly Channel<object> _changes = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, string> _pipelines = new();
    private readonly Dictionary<(Guid RunId, int TaskIndex, int Attempt), DateTime> _started = [];
    private readonly Task _recording;

    public TelemetryObserver(LuigiStore store, LuigiTelemetry telemetry, ILogger<TelemetryObserver>? logger = null)
    {
        _store = store;
        _telemetry = telemetry;
        _logger = logger ?? NullLogger<TelemetryObserver>.Instance;
        _recording = Task.Run(RecordAsync);
    }

    /// <inheritdoc />
    public void OnTaskChanged(TaskChange change) => _changes.Writer.TryWrite(change);

    /// <inheritdoc />
    public void OnRunFinished(Guid runId, RunState state)
    {
        // Counted in OnRunChanged, which carries the pipeline and is called for the same final states.
    }

    /// <inheritdoc />
    public void OnRunChanged(Guid runId, string pipeline, RunState state)
    {
        _pipelines[runId] = pipeline;
        if (state is RunState.Succeeded or RunState.Failed or RunState.Cancelled)
        {
            _changes.Writer.TryWrite(new RunEnded(runId, pipeline, state));
        }
    }

    private async Task RecordAsync()
    {
        await foreach (var change in _changes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                switch (change)
                {
                    case TaskChange task:
                        await RecordAsync(task).ConfigureAwait(false);
                        break;
                    case RunEnded run:
                        await RecordAsync(run).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception exception)
            {
                _logger.LogWarning(exception, "Could not record the telemetry of {Change}", change);
            }
        }
    }

    private async Task RecordAsync(TaskChange change)
    {
        var pipeline = await PipelineOfAsync(change.RunId).ConfigureAwait(false);
        var key = (change.RunId, change.TaskIndex, change.Attempt);
        if (change.State == TaskState.Running)
        {
            _telemetry.RecordTaskStarted(pipeline);
            if (_started.Count >= MaxTracked)
            {
                _started.Clear(); // attempts whose end another host committed: forget them rather than grow
            }

            _started[key] = change.At;
        }
        else if (change.Attempt > 0 && _started.Remove(key, out var start))
        {
            _telemetry.RecordAttempt(pipeline, change.State, change.At - start);
        }

        if (change.State.IsTerminal())
        {
            _telemetry.RecordTaskFinished(pipeline, change.State);
        }
    }

    private async Task RecordAsync(RunEnded run)
    {
        await using (var db = _store.CreateDbContext())
        {
            var times = await db.Runs.Where(r => r.Id == run.RunId)
                .Select(r => new { Start = r.StartedAt ?? r.CreatedAt, End = r.FinishedAt })
                .FirstOrDefaultAsync().ConfigureAwait(false);
            var duration = times?.End is { } end ? end - times.Start : (TimeSpan?)null;
            _telemetry.RecordRunFinished(run.Pipeline, run.State.ToString(), duration);
            if (times?.End is { } finished)
            {
                _telemetry.EmitRun(run.RunId, run.Pipeline, run.State.ToString(), times.Start, finished);
            }
        }

        _pipelines.TryRemove(run.RunId, out _);
        foreach (var key in _started.Keys.Where(k => k.RunId == run.RunId).ToList())
        {
            _started.Remove(key);
        }
    }

    private async Task<string> PipelineOfAsync(Guid runId)
    {
        if (_pipelines.TryGetValue(runId, out var known))
        {
            return known;
        }

        await using var db = _store.CreateDbContext();
        var pipeline = await db.Runs.Where(r => r.Id == runId).Select(r => r.Pipeline).FirstOrDefaultAsync().ConfigureAwait(false) ?? "unknown";
        if (_pipelines.Count >= MaxTracked)
        {
            _pipelines.Clear();
        }

        _pipelines[runId] = pipeline;
        return pipeline;
    }

    /// <summary>Stops taking changes and records those already queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _changes.Writer.TryComplete();
        await _recording.ConfigureAwait(false);
    }

    private sealed record RunEnded(Guid RunId, string Pipeline, RunState State);
}
