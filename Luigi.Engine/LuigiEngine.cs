using Luigi.Engine.Events;
using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Luigi.Engine.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Luigi.Engine;

/// <summary>
/// Runs tasks to completion in this process, nothing persisted: resolves the graph from the roots (skipping what is
/// complete), then runs the rest on <see cref="LuigiEngineOptions.Workers"/> workers, retrying and blocking as the
/// tasks' policies say, and reports every change to the observers (<see cref="IRunObserver"/>, as a host does). It is the one executor of every host
/// (<see cref="StoreExecutor"/>) over a run queue kept in memory, so a pipeline tested here behaves as it will
/// on a store.
/// </summary>
public sealed class LuigiEngine
{
    private readonly LuigiEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly IReadOnlyList<IRunObserver> _observers;
    private readonly Func<TimeProvider, IRunQueue> _queue;
    private readonly PipelineRegistry _services;

    /// <summary>Creates an engine.</summary>
    /// <param name="options">Validated here.</param>
    /// <param name="time">The clock for timings, retry delays and timeouts; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggers">Where engine and task logs also go.</param>
    /// <param name="observers">Told of the run's graph once resolved and of every change (see <see cref="IRunObserver"/>).</param>
    /// <param name="services">What each attempt gets a scope of (<see cref="TaskContext.Services"/>); none by default. Add
    /// <see cref="TaskLogProvider"/> to its logging (<c>AddLuigiTaskLogs</c>) to keep tasks' own log lines with their attempts.</param>
    public LuigiEngine(
        LuigiEngineOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null, IEnumerable<IRunObserver>? observers = null,
        IServiceProvider? services = null)
        : this(options, time, loggers, observers, clock => new MemoryRunQueue(clock, options.Resources), services)
    {
    }

    /// <summary>An engine whose runs go through <paramref name="queue"/> (made per run): the semantics suite runs on every queue.</summary>
    internal LuigiEngine(
        LuigiEngineOptions options, TimeProvider? time, ILoggerFactory? loggers, IEnumerable<IRunObserver>? observers, Func<TimeProvider, IRunQueue> queue,
        IServiceProvider? services = null)
    {
        _services = new PipelineRegistry(services);
        options.Validate();
        _queue = queue;
        _options = options;
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _observers = observers?.ToArray() ?? [];
    }

    /// <summary>Runs <paramref name="roots"/> and everything they require under a new run id.</summary>
    public Task<RunResult> RunAsync(IEnumerable<LuigiTask> roots, CancellationToken cancellationToken = default) =>
        RunAsync(roots, Guid.CreateVersion7(_time.GetUtcNow()).ToString(), cancellationToken);

    /// <summary>
    /// Runs <paramref name="roots"/> and everything they require as run <paramref name="runId"/> (a GUID). Returns when
    /// every task has reached a final state; when <paramref name="cancellationToken"/> fires, no new task starts,
    /// running ones are cancelled through their token, and the result says which were cancelled.
    /// </summary>
    /// <exception cref="DependencyCycleException">The requirements form a cycle; nothing was run.</exception>
    /// <exception cref="ResourceException">A task declares a resource with no total, more than its total, or a negative amount; nothing was run.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while the graph was being resolved; nothing was run.</exception>
    /// <exception cref="ArgumentException"><paramref name="runId"/> is not a GUID.</exception>
    public async Task<RunResult> RunAsync(IEnumerable<LuigiTask> roots, string runId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(runId, out var id))
        {
            throw new ArgumentException($"A run id is a GUID; '{runId}' is not.", nameof(runId));
        }

        runId = id.ToString();
        var startedAt = _time.GetUtcNow();
        var graph = await GraphBuilder.BuildAsync(roots, _options.CompletenessCheckConcurrency, cancellationToken).ConfigureAwait(false);
        ResourceCheck.Validate(graph, _options.Resources);
        var queue = _queue(_time);
        var executor = new StoreExecutor(queue, _services, _options, new StoreExecutorOptions(), _time, _loggers, "memory", _observers);
        var pipeline = string.Join(", ", graph.Roots.Select(r => graph.Nodes[r].Family).Distinct());
        await executor.RunGraphToEndAsync(graph, new RunRequest(pipeline, new Dictionary<string, string>(), RunTrigger.Cli, Id: id), cancellationToken)
            .ConfigureAwait(false);
        await queue.LoadAsync(id, graph, CancellationToken.None).ConfigureAwait(false);
        return new RunResult(runId, graph, startedAt, _time.GetUtcNow());
    }
}
