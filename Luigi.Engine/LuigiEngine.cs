using Luigi.Engine.Events;
using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Luigi.Engine;

/// <summary>
/// Runs tasks to completion: resolves the graph from the roots (skipping what is complete), then runs
/// the rest on <see cref="LuigiEngineOptions.Workers"/> workers, retrying and blocking as the tasks'
/// policies say, and reports every transition to the observers.
/// </summary>
public sealed class LuigiEngine
{
    private readonly LuigiEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly IReadOnlyList<IExecutionObserver> _observers;

    /// <summary>Creates an engine.</summary>
    /// <param name="options">Validated here.</param>
    /// <param name="time">The clock for timings, retry delays and timeouts; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggers">Where engine and task logs also go.</param>
    /// <param name="observers">Told of every transition (see <see cref="IExecutionObserver"/>).</param>
    public LuigiEngine(LuigiEngineOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null, IEnumerable<IExecutionObserver>? observers = null)
    {
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _observers = observers?.ToArray() ?? [];
    }

    /// <summary>Runs <paramref name="roots"/> and everything they require under a new run id.</summary>
    public Task<RunResult> RunAsync(IEnumerable<LuigiTask> roots, CancellationToken cancellationToken = default) =>
        RunAsync(roots, Guid.NewGuid().ToString("N"), cancellationToken);

    /// <summary>
    /// Runs <paramref name="roots"/> and everything they require. Returns when every task has reached a
    /// final state; when <paramref name="cancellationToken"/> fires, no new task starts, running ones are
    /// cancelled through their token, and the result says which were cancelled.
    /// </summary>
    /// <exception cref="DependencyCycleException">The requirements form a cycle; nothing was run.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while the graph was being resolved; nothing was run.</exception>
    public async Task<RunResult> RunAsync(IEnumerable<LuigiTask> roots, string runId, CancellationToken cancellationToken)
    {
        var startedAt = _time.GetUtcNow();
        var graph = await GraphBuilder.BuildAsync(roots, _options.CompletenessCheckConcurrency, cancellationToken).ConfigureAwait(false);
        foreach (var observer in _observers)
        {
            await observer.OnRunStartedAsync(runId, graph, cancellationToken).ConfigureAwait(false);
        }

        using (var execution = new RunExecution(runId, graph, _options, _time, _loggers, _observers, cancellationToken))
        {
            await execution.RunAsync().ConfigureAwait(false);
        }

        var result = new RunResult(runId, graph, startedAt, _time.GetUtcNow());
        foreach (var observer in _observers)
        {
            await observer.OnRunFinishedAsync(result, CancellationToken.None).ConfigureAwait(false);
        }

        return result;
    }
}
