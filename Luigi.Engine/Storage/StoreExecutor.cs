using System.Collections.Concurrent;
using System.Data.Common;
using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
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
public sealed class StoreExecutor
{
    private readonly LuigiStore _store;
    private readonly PipelineRegistry _pipelines;
    private readonly LuigiEngineOptions _engine;
    private readonly StoreExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RunQueue _queue;
    private readonly RunTaskCache _tasks;
    private readonly AttemptRunner _attempts;
    private readonly DatabaseRetry _retry;
    private readonly WorkSignal _work = new();
    private readonly ConcurrentDictionary<(Guid RunId, int TaskIndex), CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<RunState>> _awaited = new();
    private readonly StoreObservers _observers;

    public StoreExecutor(
        LuigiStore store, PipelineRegistry pipelines, LuigiEngineOptions engine, StoreExecutorOptions options,
        TimeProvider? time = null, ILoggerFactory? loggers = null, string? hostName = null, IEnumerable<IStoreObserver>? observers = null)
    {
        var observed = observers?.ToArray() ?? [];
        engine.Validate();
        options.Validate();
        _store = store;
        _pipelines = pipelines;
        _engine = engine;
        _options = options;
        _time = time ?? TimeProvider.System;
        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger("Luigi.Engine.Host");
        _observers = new StoreObservers(observed, _logger, _time);
        _retry = new DatabaseRetry(_logger, _time, options);
        _queue = new RunQueue(store, _time);
        _tasks = new RunTaskCache(store, pipelines);
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
        await using var context = _store.CreateDbContext();
        var parent = await context.Runs.FindAsync([runId], cancellationToken).ConfigureAwait(false);
        if (parent is null)
        {
            return null;
        }

        if ((scope == RerunScope.TaskAndDownstream) != (taskId is not null))
        {
            throw new ArgumentException("A task id is given with the TaskAndDownstream scope, and only with it.", nameof(taskId));
        }

        if (taskId is not null && !await context.RunTasks.AnyAsync(t => t.RunId == runId && t.TaskId == taskId, cancellationToken).ConfigureAwait(false))
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
            _observers.RunChanged(run.RunId, run.Pipeline, run.State);
        }

        if (result == CancelResult.Cancelled)
        {
            StopAttemptsOf([runId]);
            await NotifyIfFinishedAsync(runId, cancellationToken).ConfigureAwait(false);
        }

        return result;
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

    /// <summary>Records this host in the store (also done when <see cref="RunAsync"/> starts).</summary>
    public Task RegisterAsync(CancellationToken cancellationToken = default) => _queue.HeartbeatAsync(Host, _options.Lease, cancellationToken);

    /// <summary>Runs this host until <paramref name="stoppingToken"/> fires; running attempts are then stopped
    /// and their tasks given back to the queue, and every outcome already computed is written before it returns.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await _retry.RunAsync("register the host", ct => _queue.HeartbeatAsync(Host, _options.Lease, ct), stoppingToken).ConfigureAwait(false);
        var dispatcher = new WorkDispatcher(_engine.Workers);
        var writer = new CompletionWriter();
        var loops = new List<Task> { Task.Run(() => HeartbeatLoopAsync(writer, stoppingToken), CancellationToken.None) };
        if (_options.ResolveRuns)
        {
            loops.Add(Task.Run(() => ResolveLoopAsync(stoppingToken), CancellationToken.None));
        }

        _work.Pulsed += dispatcher.Pulse;
        try
        {
            var writing = Task.Run(() => writer.RunAsync(
                group => CommitAsync(group, dispatcher), (completion, result, error) => OnCommitted(completion, result, error, dispatcher)), CancellationToken.None);
            var working = Enumerable.Range(1, _engine.Workers)
                .Select(slot => Task.Run(() => WorkerLoopAsync(slot, dispatcher, writer, stoppingToken), CancellationToken.None))
                .Append(Task.Run(() => dispatcher.RunAsync(ClaimAsync, () => writer.Backlog > 0, _options.PollInterval, _time, stoppingToken),
                    CancellationToken.None))
                .ToList();
            await Task.WhenAll(working).ConfigureAwait(false);
            writer.Complete();
            await writing.ConfigureAwait(false);
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            _work.Pulsed -= dispatcher.Pulse;
        }

        try
        {
            await _queue.StopHostAsync(Host.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbException exception)
        {
            _logger.LogWarning(exception, "Could not mark host {Host} stopped", Host.Id);
        }
    }

    private async Task ResolveLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var run = await _retry.RunAsync("take a queued run", ct => _queue.TakeQueuedRunAsync(Host.Id, OnlyRun, ct), stoppingToken).ConfigureAwait(false);
            if (run is null)
            {
                await WaitQuietlyAsync(stoppingToken).ConfigureAwait(false);
                continue;
            }

            _observers.RunChanged(run.Id, run.Pipeline, RunState.Resolving);
            await ResolveAsync(run, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task ResolveAsync(RunRecord run, CancellationToken stoppingToken)
    {
        TaskGraph graph;
        try
        {
            var roots = _pipelines.Create(run.Pipeline, run.Parameters).Roots().ToList();
            var overrides = await RerunPlanner.PlanAsync(_store, run, stoppingToken).ConfigureAwait(false);
            graph = await GraphBuilder.BuildAsync(roots, _engine.CompletenessCheckConcurrency, stoppingToken, overrides).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return; // left Resolving; handed back to the queue once this host's heartbeat is stale
        }
        catch (Exception exception)
        {
            var error = exception is UnknownPipelineException or ParameterException or DependencyCycleException
                ? exception.Message
                : $"Pipeline {run.Pipeline} could not build its graph: {exception}";
            if (await _retry.RunAsync("fail the run", ct => _queue.FailRunAsync(run.Id, error, ct), stoppingToken).ConfigureAwait(false))
            {
                _observers.RunChanged(run.Id, run.Pipeline, RunState.Failed);
            }

            Notify(run.Id, RunState.Failed);
            return;
        }

        _tasks.Add(run.Id, graph);
        var saved = await _retry.RunAsync("save the graph", ct => _queue.SaveGraphAsync(run.Id, graph, ct), stoppingToken).ConfigureAwait(false);
        if (saved is not null)
        {
            _observers.RunChanged(saved.RunId, saved.Pipeline, saved.State);
        }

        if (saved is { State: RunState.Succeeded or RunState.Failed or RunState.Cancelled })
        {
            Notify(run.Id, saved.State);
        }

        _work.Pulse();
    }

    private Task<List<ClaimedTask>?> ClaimAsync(IReadOnlyList<int> idleWorkers, CancellationToken stoppingToken) =>
        _retry.RunAsync("claim tasks", ct => _queue.ClaimAsync(Host.Id, idleWorkers, _options.Lease, OnlyRun, ct), stoppingToken);

    /// <summary>
    /// Commits a group of outcomes and, in the same transaction, claims tasks for the idle workers (the
    /// dependents the group releases among them). An outcome computed is kept trying until it is written,
    /// even once the host is stopping.
    /// </summary>
    private async Task<CompletionResult?[]> CommitAsync(IReadOnlyList<TaskCompletion> group, WorkDispatcher dispatcher)
    {
        var idle = dispatcher.TakeIdle(evenWithoutWork: group.Any(c => c.State is TaskState.Done or TaskState.RetryWaiting));
        var claim = idle is null ? null : new ClaimRequest(idle, _options.Lease, OnlyRun);
        List<ClaimedTask>? claimed = null;
        try
        {
            var committed = await _retry.RunAsync("commit outcomes", ct => _queue.CompleteAsync(Host.Id, group, claim, ct), CancellationToken.None,
                untilStopped: false, isTransient: DatabaseRetry.IsTransientForGroup).ConfigureAwait(false);
            claimed = committed.Claimed;
            var results = committed.Results ?? new CompletionResult?[group.Count];
            _observers.Committed(group, results); // before the released tasks are handed to workers: a cause before its effect
            if (idle is null && results.Any(r => r is { Released: > 0 }))
            {
                dispatcher.Pulse(); // no worker was idle to take the released tasks in this transaction
            }

            return results;
        }
        finally
        {
            if (idle is not null)
            {
                dispatcher.Deliver(idle, claimed ?? []);
            }
        }
    }

    private async Task WorkerLoopAsync(int worker, WorkDispatcher dispatcher, CompletionWriter writer, CancellationToken stoppingToken)
    {
        while (await dispatcher.NextAsync(worker).ConfigureAwait(false) is { } claimed)
        {
            if (await ExecuteAsync(claimed, stoppingToken).ConfigureAwait(false) is not { } completion)
            {
                continue;
            }

            var committed = writer.SubmitAsync(completion);
            if (writer.Backlog > _engine.Workers * 4)
            {
                await committed.ConfigureAwait(false); // the database lags: hold this worker rather than let outcomes pile up
            }
        }
    }

    /// <summary>Runs one claimed attempt; returns its outcome to commit, or null when the task was given back (the host is stopping).</summary>
    private async Task<TaskCompletion?> ExecuteAsync(ClaimedTask claimed, CancellationToken stoppingToken)
    {
        if (stoppingToken.IsCancellationRequested)
        {
            await ReleaseAsync(claimed).ConfigureAwait(false);
            return null;
        }

        using var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _running[(claimed.RunId, claimed.TaskIndex)] = attemptToken;
        _observers.TaskChanged(new TaskChange(
            claimed.RunId, claimed.TaskIndex, claimed.TaskId, TaskState.Running, claimed.Attempt, claimed.Worker, null, null, claimed.StartedAt));
        var attempt = new AttemptRecord(claimed.Attempt, claimed.Worker, new DateTimeOffset(claimed.StartedAt, TimeSpan.Zero));
        AttemptOutcome outcome;
        try
        {
            var task = await _tasks.GetAsync(claimed.RunId, claimed.TaskId, stoppingToken).ConfigureAwait(false);
            outcome = await _attempts.RunAsync(task, claimed.TaskId, claimed.RunId.ToString(), attempt, task.Timeout,
                task.Retry ?? _engine.DefaultRetry, attemptToken.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            outcome = new AttemptOutcome(TaskState.Failed, exception, _time.GetUtcNow(), null);
        }
        catch (Exception)
        {
            outcome = new AttemptOutcome(TaskState.Cancelled, null, _time.GetUtcNow(), null);
        }
        finally
        {
            _running.TryRemove((claimed.RunId, claimed.TaskIndex), out _);
        }

        if (stoppingToken.IsCancellationRequested && outcome.State == TaskState.Cancelled)
        {
            await ReleaseAsync(claimed).ConfigureAwait(false);
            return null;
        }

        return new TaskCompletion(claimed.RunId, claimed.TaskIndex, claimed.TaskId, claimed.Attempt, outcome.State,
            outcome.Error?.ToString(), outcome.RetryAt?.UtcDateTime, attempt.Log, attempt.TruncatedLines, outcome.FinishedAt.UtcDateTime);
    }

    /// <summary>The host is stopping, not the run: the task goes back to the queue for another host.</summary>
    private Task ReleaseAsync(ClaimedTask claimed) =>
        _retry.RunAsync("give a task back", ct => _queue.ReleaseAsync(Host.Id, claimed, ct), CancellationToken.None, attempts: 3);

    private void OnCommitted(TaskCompletion completion, CompletionResult? result, Exception? error, WorkDispatcher dispatcher)
    {
        if (error is not null)
        {
            _logger.LogError(error, "Outcome of {TaskId} attempt {Attempt} could not be written", completion.TaskId, completion.Attempt);
            return;
        }

        if (result is null)
        {
            _logger.LogWarning("Outcome of {TaskId} attempt {Attempt} dropped: the lease was lost and the task was given to another attempt",
                completion.TaskId, completion.Attempt);
            return;
        }

        if (result.RunFinished is { } finished)
        {
            _observers.RunChanged(completion.RunId, result.Pipeline ?? "", finished);
            Notify(completion.RunId, finished);
        }

        if (completion.State == TaskState.RetryWaiting)
        {
            dispatcher.Pulse();
        }
    }

    private async Task HeartbeatLoopAsync(CompletionWriter writer, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.HeartbeatInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await _retry.RunAsync("renew the heartbeat", async ct =>
            {
                var holds = _running.Keys.Concat(writer.Pending).ToHashSet();
                await _queue.HeartbeatAsync(Host, _options.Lease, holds, ct).ConfigureAwait(false);
                var requeued = await _queue.RequeueExpiredAsync(_options.Lease * 2, ct).ConfigureAwait(false);
                if (requeued.Count > 0)
                {
                    _logger.LogWarning("Put {Count} tasks with expired leases back in the queue", requeued.Count);
                    _work.Pulse();
                }

                var running = _running.Keys.Select(k => k.RunId).Concat(_awaited.Keys).ToHashSet();
                StopAttemptsOf(await _queue.CancellingAsync(running, ct).ConfigureAwait(false));
                foreach (var runId in _awaited.Keys)
                {
                    await NotifyIfFinishedAsync(runId, ct).ConfigureAwait(false);
                }

                return true;
            }, stoppingToken).ConfigureAwait(false);
        }
    }

    private void StopAttemptsOf(IReadOnlyCollection<Guid> runIds)
    {
        foreach (var ((runId, _), source) in _running)
        {
            if (runIds.Contains(runId))
            {
                source.Cancel();
            }
        }
    }

    private async Task NotifyIfFinishedAsync(Guid runId, CancellationToken cancellationToken)
    {
        if (!_awaited.ContainsKey(runId))
        {
            return;
        }

        await using var context = _store.CreateDbContext();
        var run = await context.Runs.FindAsync([runId], cancellationToken).ConfigureAwait(false);
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

    private void Notify(Guid runId, RunState state)
    {
        _observers.RunFinished(runId, state);
        _tasks.Forget(runId);
        if (_awaited.TryRemove(runId, out var waiter))
        {
            waiter.TrySetResult(state);
        }
    }

    private async Task WaitQuietlyAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _work.WaitAsync(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
