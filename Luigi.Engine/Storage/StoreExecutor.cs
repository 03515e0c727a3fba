using System.Collections.Concurrent;
using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Luigi.Engine.Storage;

/// <summary>
/// One host's part in running the store's runs: it resolves queued runs, and its workers claim ready
/// tasks (of any run, from any host), run them and commit each outcome before looking for the next.
/// Several hosts on one PostgreSQL share the work; a host that dies loses its claims when their leases
/// expire and another host runs those tasks again. A database that goes away stalls the host, which
/// keeps trying with backoff and loses no outcome it has computed.
/// </summary>
/// <remarks>
/// This file holds the front doors (enqueue, re-run, cancel, wait) and the answers to those who wait for a
/// run; <c>StoreExecutor.Host.cs</c> runs the host and its heartbeat, <c>StoreExecutor.Resolving.cs</c>
/// resolves queued runs, and <c>StoreExecutor.Workers.cs</c> claims, runs and commits tasks.
/// It retries through database outages with <see cref="DatabaseRetry"/> and reports to its observers through
/// <see cref="StoreObservers"/>.
/// </remarks>
public sealed partial class StoreExecutor
{
    private readonly PipelineRegistry _pipelines;
    private readonly LuigiEngineOptions _engine;
    private readonly StoreExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IRunQueue _queue;
    private readonly RunTaskCache _tasks;
    private readonly AttemptRunner _attempts;
    private readonly DatabaseRetry _retry;
    private readonly WorkSignal _work = new();
    private readonly RunningAttempt?[] _running;
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<RunState>> _awaited = new();
    private readonly ConcurrentDictionary<Guid, TaskGraph> _resolvedHere = new();
    private readonly ConcurrentDictionary<Guid, byte> _cancelledHere = new();
    private readonly ConcurrentDictionary<ITimer, byte> _retryTimers = new();
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private RunIdString? _lastRunId;
    private readonly StoreObservers _observers;

    public StoreExecutor(
        LuigiStore store, PipelineRegistry pipelines, LuigiEngineOptions engine, StoreExecutorOptions options,
        TimeProvider? time = null, ILoggerFactory? loggers = null, string? hostName = null, IEnumerable<IStoreObserver>? observers = null)
        : this(new RunQueue(store, time ?? TimeProvider.System), pipelines, engine, options, time, loggers, hostName, observers)
    {
    }

    /// <summary>An executor over any run queue: the store's (<see cref="RunQueue"/>) or one in memory (<see cref="MemoryRunQueue"/>).</summary>
    internal StoreExecutor(
        IRunQueue queue, PipelineRegistry pipelines, LuigiEngineOptions engine, StoreExecutorOptions options,
        TimeProvider? time = null, ILoggerFactory? loggers = null, string? hostName = null, IEnumerable<IStoreObserver>? observers = null)
    {
        var observed = observers?.ToArray() ?? [];
        engine.Validate();
        options.Validate();
        _pipelines = pipelines;
        _engine = engine;
        _options = options;
        _time = time ?? TimeProvider.System;
        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger("Luigi.Engine.Host");
        _observers = new StoreObservers(observed, _logger, _time);
        _retry = new DatabaseRetry(_logger, _time, options);
        _queue = queue;
        _running = new RunningAttempt?[engine.Workers + 1];
        _tasks = new RunTaskCache(queue, pipelines);
        _attempts = new AttemptRunner(_time, loggers, engine);
        var name = hostName ?? Environment.MachineName;
        Host = new HostRecord
        {
            Id = $"{name}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}",
            Name = name,
            Workers = engine.Workers,
            StartedAt = _time.GetUtcNow().UtcDateTime,
        };
    }

    /// <summary>This host as the store knows it.</summary>
    public HostRecord Host { get; }

    /// <summary>The one run this host works on, when it was started by <see cref="RunToEndAsync"/>.</summary>
    private Guid? OnlyRun { get; set; }

    /// <summary>Asks for a run. Parameters are checked against the pipeline first: nothing is written when they are wrong.</summary>
    /// <exception cref="UnknownPipelineException">No pipeline has that name.</exception>
    /// <exception cref="ParameterException">A parameter is unknown, malformed or missing.</exception>
    public async Task<Guid> EnqueueAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        _pipelines.Create(request.Pipeline, request.Parameters).Roots().ToList();
        var id = await _queue.EnqueueAsync(request, cancellationToken).ConfigureAwait(false);
        _observers.RunChanged(id, request.Pipeline, RunState.Queued);
        _work.Pulse();
        return id;
    }

    /// <summary>
    /// Asks for a re-run of <paramref name="runId"/>: a new run of the same pipeline with the same parameters,
    /// covering <paramref name="scope"/> (<paramref name="taskId"/> names the task for
    /// <see cref="RerunScope.TaskAndDownstream"/>). Returns null when the run does not exist.
    /// </summary>
    /// <exception cref="ArgumentException">The task is not part of that run, or a task is given for another scope.</exception>
    public async Task<Guid?> RerunAsync(Guid runId, RerunScope scope, string? taskId, string? requestedBy, CancellationToken cancellationToken = default)
    {
        var parent = await _queue.FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (parent is null)
        {
            return null;
        }

        if ((scope == RerunScope.TaskAndDownstream) != (taskId is not null))
        {
            throw new ArgumentException("A task id is given with the TaskAndDownstream scope, and only with it.", nameof(taskId));
        }

        if (taskId is not null && !await _queue.HasTaskAsync(runId, taskId, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"Run {runId} has no task {taskId}.", nameof(taskId));
        }

        return await EnqueueAsync(new RunRequest(parent.Pipeline, parent.Parameters, RunTrigger.Rerun, requestedBy, runId, scope, taskId), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Cancels a run (see <see cref="RunQueue.CancelAsync"/>); running attempts on every host are stopped.</summary>
    public Task<CancelResult> CancelAsync(Guid runId, CancellationToken cancellationToken = default) =>
        CancelAsync(runId, null, RunTrigger.Api, cancellationToken);

    /// <summary>
    /// Cancels a run for <paramref name="requestedBy"/>, asking through <paramref name="via"/>, recorded in the run's audit
    /// trail with the cancel itself; running attempts on every host are stopped.
    /// </summary>
    public async Task<CancelResult> CancelAsync(Guid runId, string? requestedBy, RunTrigger via, CancellationToken cancellationToken = default)
    {
        var (result, run) = await _queue.CancelAsync(runId, requestedBy, via, cancellationToken).ConfigureAwait(false);
        if (run is not null)
        {
            _observers.Cancelled(run);
            _observers.RunChanged(run.RunId, run.Pipeline, run.State);
        }

        if (result == CancelResult.Cancelled)
        {
            _cancelledHere[runId] = 0;
            StopAttemptsOf([runId]);
            if (run is { State: RunState.Cancelled })
            {
                Notify(runId, RunState.Cancelled); // this cancel ended the run (nothing was running): observers hear the end too
            }
            else
            {
                await NotifyIfFinishedAsync(runId, cancellationToken).ConfigureAwait(false);
            }
        }

        return result;
    }

    /// <summary>
    /// Runs a graph resolved by the caller under <paramref name="request"/> (which names the run's id), on this host alone,
    /// until it ends: <see cref="LuigiEngine"/>'s way through the one executor. The graph's nodes are the run's tasks.
    /// </summary>
    internal async Task<RunState> RunGraphToEndAsync(TaskGraph graph, RunRequest request, CancellationToken cancellationToken)
    {
        var id = await _queue.EnqueueAsync(request, CancellationToken.None).ConfigureAwait(false);
        _resolvedHere[id] = graph;
        _observers.RunChanged(id, request.Pipeline, RunState.Queued);
        return await RunToEndAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when the run reaches a final state (as seen by this host, or read from the store).</summary>
    public async Task<RunState> WaitForRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var waiter = _awaited.GetOrAdd(runId, _ => new TaskCompletionSource<RunState>(TaskCreationOptions.RunContinuationsAsynchronously));
        await NotifyIfFinishedAsync(runId, cancellationToken).ConfigureAwait(false);
        return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Works on <paramref name="runId"/> alone until it ends, then stops (the command line's <c>run</c>: it
    /// must not take up work queued by others). When <paramref name="cancellationToken"/> fires, the run is
    /// cancelled and this waits for it to stop.
    /// </summary>
    public async Task<RunState> RunToEndAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        OnlyRun = runId;
        using var stop = new CancellationTokenSource();
        var host = RunAsync(stop.Token);
        RunState state;
        try
        {
            state = await WaitForRunAsync(runId, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await CancelAsync(runId, CancellationToken.None).ConfigureAwait(false);
            state = await WaitForRunAsync(runId, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await host.ConfigureAwait(false);
        }

        return state;
    }

    /// <summary>When the run is awaited, reads it from the store and answers its waiters if it has ended (also
    /// when another host ended it, or nobody reported the end here).</summary>
    private async Task NotifyIfFinishedAsync(Guid runId, CancellationToken cancellationToken)
    {
        if (!_awaited.ContainsKey(runId))
        {
            return;
        }

        var run = await _queue.FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            _awaited.TryRemove(runId, out var missing);
            missing?.TrySetException(new KeyNotFoundException($"No run {runId}."));
        }
        else if (run.State is RunState.Succeeded or RunState.Failed or RunState.Cancelled)
        {
            Notify(runId, run.State);
        }
    }

    /// <summary>The attempts running on this host now, one per busy worker slot.</summary>
    private IEnumerable<RunningAttempt> RunningAttempts => _running.Select(a => Volatile.Read(ref a)).OfType<RunningAttempt>();

    /// <summary>The attempt a worker slot runs (slots are written only by their own worker, so no lock is needed).</summary>
    private sealed record RunningAttempt(Guid RunId, int TaskIndex, CancellationTokenSource Token);

    /// <summary>The run has ended: the observers hear it, its tasks are forgotten and its waiters answered.</summary>
    private void Notify(Guid runId, RunState state)
    {
        _observers.RunFinished(runId, state);
        _tasks.Forget(runId);
        _cancelledHere.TryRemove(runId, out _);
        if (_awaited.TryRemove(runId, out var waiter))
        {
            waiter.TrySetResult(state);
        }
    }
}
