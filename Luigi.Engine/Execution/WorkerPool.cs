using System.Collections.Concurrent;
using Luigi.Engine.Graph;
using Luigi.Engine.Monitoring;
using Microsoft.Extensions.Logging;
using Luigi.Engine.Events;

namespace Luigi.Engine.Execution;

/// <summary>
/// A host's workers while it runs: the dispatcher hands them claimed tasks, each runs one attempt at a time and hands
/// its outcome on. On a queue that is a database the outcomes go to the group-commit writer, which commits them together
/// and claims for the idle workers in the same transaction; on a queue in memory a worker commits its own outcome and
/// claims its next task in the same step. Every commit is reported to the observers before the tasks it released are
/// handed to anyone (a requirement's end before its dependent's start). A task whose retry delay runs wakes the
/// dispatcher when it is over.
/// </summary>
internal sealed class WorkerPool
{
    private readonly ExecutorContext _context;
    private readonly Guid? _onlyRun;
    private readonly WorkDispatcher _dispatcher;
    private readonly CompletionWriter _writer = new();
    private readonly RunningAttempt?[] _running;
    private readonly ConcurrentDictionary<ITimer, byte> _retryTimers = new();
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private readonly ConcurrentDictionary<Guid, RunInfo> _runs = new();
    private RunIdString? _lastRunId;
    private int _shortStreak;

    public WorkerPool(ExecutorContext context, Guid? onlyRun)
    {
        _context = context;
        _onlyRun = onlyRun;
        _dispatcher = new WorkDispatcher(context.Engine.Workers, context.Time);
        _running = new RunningAttempt?[context.Engine.Workers + 1];
    }

    /// <summary>The tasks this host holds: those its workers run and those whose outcome waits to be committed.</summary>
    public IReadOnlyCollection<(Guid RunId, int TaskIndex)> Holds =>
        RunningAttempts.Select(a => (a.RunId, a.TaskIndex)).Concat(_writer.Pending).Concat(_dispatcher.Buffered.Select(b => (b.RunId, b.TaskIndex))).ToHashSet();

    /// <summary>The runs whose tasks this host's workers run now.</summary>
    public IEnumerable<Guid> RunningRuns => RunningAttempts.Select(a => a.RunId);

    private IEnumerable<RunningAttempt> RunningAttempts => _running.Select(a => Volatile.Read(ref a)).OfType<RunningAttempt>();

    private string HostId => _context.Identity.Id;

    /// <summary>Work may be ready (a run was saved, a lease expired, a command came).</summary>
    public void Pulse() => _dispatcher.Pulse();

    /// <summary>Runs the workers until <paramref name="stoppingToken"/> fires; every outcome computed is written before it returns.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            var writing = Task.Run(() => _writer.RunAsync(CommitAsync, OnCommitted), CancellationToken.None);
            var working = Enumerable.Range(1, _context.Engine.Workers)
                .Select(slot => Task.Run(() => WorkerLoopAsync(slot, stoppingToken), CancellationToken.None))
                .Append(Task.Run(() => _dispatcher.RunAsync(ClaimAsync, () => _writer.Backlog > 0, GiveBack, _context.PollInterval, _context.Time, stoppingToken),
                    CancellationToken.None))
                .ToList();
            await Task.WhenAll(working).ConfigureAwait(false);
            _writer.Complete();
            await writing.ConfigureAwait(false);
        }
        finally
        {
            foreach (var timer in _retryTimers.Keys)
            {
                timer.Dispose();
            }

            _retryTimers.Clear();
        }
    }

    /// <summary>Cancels the attempts running here of these runs (they are being cancelled).</summary>
    public void StopAttemptsOf(IReadOnlyCollection<Guid> runIds)
    {
        foreach (var attempt in RunningAttempts)
        {
            if (runIds.Contains(attempt.RunId))
            {
                attempt.Token.Cancel();
            }
        }
    }

    /// <summary>
    /// This host lost these tasks (it was stopped or cut off past its lease, and another attempt took them over): their
    /// attempts here are cancelled, so that cooperative tasks stop, and their outcomes will be refused.
    /// </summary>
    public void StopLostAttempts(IReadOnlyList<(Guid RunId, int TaskIndex)> lost)
    {
        _dispatcher.DropBuffered(lost);
        foreach (var attempt in RunningAttempts)
        {
            if (lost.Contains((attempt.RunId, attempt.TaskIndex)))
            {
                _context.Logger.LogWarning("Lost the lease of task {TaskIndex} of run {Run} to another attempt; stopping this one", attempt.TaskIndex, attempt.RunId);
                attempt.Token.Cancel();
            }
        }
    }

    private async Task<List<ClaimedTask>?> ClaimAsync(IReadOnlyList<int> idleWorkers, CancellationToken stoppingToken)
    {
        // Not between a commit and its report to the observers: a dependent it released would be seen starting before its requirement ended.
        await _commitGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var started = _context.Time.GetTimestamp();
            var claimed = await _context.Retry.RunAsync(
                "claim tasks", ct => _context.Queue.ClaimAsync(HostId, idleWorkers, _context.Options.Lease, _onlyRun, ct), stoppingToken).ConfigureAwait(false);
            _context.Telemetry?.RecordClaim(_context.Time.GetElapsedTime(started), claimed?.Count ?? 0);
            return claimed is null ? null : ReportWaits(claimed);
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>
    /// Commits a group of outcomes and, in the same transaction, claims tasks for the idle workers (the
    /// dependents the group releases among them). An outcome computed is kept trying until it is written,
    /// even once the host is stopping.
    /// </summary>
    private async Task<CompletionResult?[]> CommitAsync(IReadOnlyList<TaskCompletion> group)
    {
        var idle = _dispatcher.TakeIdle(evenWithoutWork: group.Any(c => c.State is TaskState.Done or TaskState.RetryWaiting));
        var claim = idle is null ? null : new ClaimRequest(idle.All, _context.Options.Lease, _onlyRun);
        List<ClaimedTask>? claimed = null;
        await _commitGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var started = _context.Time.GetTimestamp();
            var committed = await _context.Retry.RunAsync("commit outcomes", ct => _context.Queue.CompleteAsync(HostId, group, claim, ct), CancellationToken.None,
                untilStopped: false, isTransient: _context.Retry.IsTransientForGroup).ConfigureAwait(false);
            claimed = committed.Claimed;
            if (claim is not null)
            {
                _context.Telemetry?.RecordClaim(_context.Time.GetElapsedTime(started), claimed?.Count ?? 0); // the commit that claimed, as one statement
            }

            var results = committed.Results ?? new CompletionResult?[group.Count];
            _context.Observers.Committed(group, results); // before the released tasks are handed to workers: a cause before its effect
            claimed = claimed is null ? null : ReportWaits(claimed);
            var released = results.Sum(r => r?.Released ?? 0);
            if (idle is null ? released > 0 : released > claimed!.Count && claimed.Count < idle.All.Length)
            {
                _dispatcher.Pulse(); // no worker was idle to take the released tasks in this transaction, or some were not for its claim
            }

            return results;
        }
        finally
        {
            _commitGate.Release();
            if (idle is not null)
            {
                _dispatcher.Deliver(idle, claimed ?? []);
            }
        }
    }

    private async Task WorkerLoopAsync(int worker, CancellationToken stoppingToken)
    {
        var next = await _dispatcher.NextAsync(worker).ConfigureAwait(false);
        while (next is { } claimed)
        {
            next = null;
            var started = _context.Time.GetTimestamp();
            if (await ExecuteAsync(claimed, stoppingToken).ConfigureAwait(false) is { } completion)
            {
                if (_context.Queue.GroupsCommits)
                {
                    ClaimAheadAfter(_context.Time.GetElapsedTime(started));
                    var committed = _writer.SubmitAsync(completion);
                    if (_writer.Backlog > _context.Engine.Workers * (AheadPerWorker + 1))
                    {
                        // More outcomes wait than a host holds tasks (its workers' and those claimed ahead): the database lags, so
                        // hold this worker rather than let outcomes pile up.
                        await committed.ConfigureAwait(false);
                    }
                }
                else
                {
                    next = await CommitInlineAsync(completion, worker).ConfigureAwait(false);
                }
            }

            next ??= await _dispatcher.NextAsync(worker).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Commits one outcome from its worker, claiming in the same step for this worker and the idle ones: a queue in
    /// memory commits in microseconds, so group commit would only add hand-offs. Returns this worker's next task, if any.
    /// </summary>
    private async ValueTask<ClaimedTask?> CommitInlineAsync(TaskCompletion completion, int worker)
    {
        var idle = _dispatcher.TakeIdle(evenWithoutWork: true)?.Idle ?? []; // nothing is claimed ahead for a queue in memory
        var claim = new ClaimRequest([worker, .. idle], _context.Options.Lease, _onlyRun);
        List<ClaimedTask> claimed = [];
        CompletionResult? result;
        await _commitGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            (var results, claimed) = await _context.Queue.CompleteAsync(HostId, [completion], claim, CancellationToken.None).ConfigureAwait(false);
            result = results[0];
            _context.Observers.Committed([completion], results);
            claimed = ReportWaits(claimed);
        }
        finally
        {
            _commitGate.Release();
            if (idle.Length > 0)
            {
                _dispatcher.Deliver(new ClaimSlots(idle, []), claimed.FindAll(c => c.Worker != worker));
            }
            else if (claimed.Count == claim.Workers.Count)
            {
                _dispatcher.MayHaveWork(); // every worker asked for got a task: more may be ready for the next one idle
            }
        }

        OnCommitted(completion, result, null);
        return claimed.Find(c => c.Worker == worker);
    }

    /// <summary>Runs one claimed attempt; returns its outcome to commit, or null when the task was given back (the host is stopping).</summary>
    private async ValueTask<TaskCompletion?> ExecuteAsync(ClaimedTask claimed, CancellationToken stoppingToken)
    {
        if (stoppingToken.IsCancellationRequested)
        {
            await ReleaseAsync(claimed).ConfigureAwait(false);
            return null;
        }

        using var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Volatile.Write(ref _running[claimed.Worker], new RunningAttempt(claimed.RunId, claimed.TaskIndex, attemptToken));
        if (_context.Signals.WasCancelled(claimed.RunId))
        {
            await attemptToken.CancelAsync().ConfigureAwait(false); // claimed just before the cancel: it must not run on
        }

        if (!claimed.Recheck)
        {
            ReportRunning(claimed);
        }

        var attempt = new AttemptRecord(claimed.Attempt, claimed.Worker, new DateTimeOffset(claimed.StartedAt, TimeSpan.Zero));
        AttemptOutcome outcome;
        try
        {
            // Finding the task may read the store (a run resolved by another host): an outage there is no fault of the task's.
            if (!_context.Tasks.TryGet(claimed.RunId, claimed.TaskId, out var task))
            {
                task = await _context.Retry.RunAsync("load the task", ct => _context.Tasks.GetAsync(claimed.RunId, claimed.TaskId, ct).AsTask(), stoppingToken)
                    .ConfigureAwait(false) ?? throw new OperationCanceledException(stoppingToken);
            }

            if (claimed.Recheck)
            {
                // Another run may have made this task since it was resolved (it waited for that run, or shares the task with it).
                if (await IsCompleteAsync(task, claimed, attemptToken.Token).ConfigureAwait(false))
                {
                    return new TaskCompletion(claimed.RunId, claimed.TaskIndex, claimed.TaskId, claimed.Attempt, TaskState.Complete, null, null, [], 0,
                        _context.Time.GetUtcNow().UtcDateTime);
                }

                ReportRunning(claimed);
            }

            using var span = _context.Telemetry is { } telemetry && telemetry.Source.HasListeners()
                ? telemetry.StartAttempt(claimed.RunId, (await RunInfoAsync(claimed.RunId, stoppingToken).ConfigureAwait(false)).Pipeline, claimed.TaskId, claimed.Attempt, claimed.Worker)
                : null;
            var runStarted = task is ExternalTask { WaitFor: not null } ? (await RunInfoAsync(claimed.RunId, stoppingToken).ConfigureAwait(false)).StartedAt : null;
            outcome = await _context.Attempts.RunAsync(task, claimed.TaskId, RunIdText(claimed.RunId), attempt, task.Timeout,
                task.Retry ?? _context.Engine.DefaultRetry, attemptToken.Token, runStarted, (ids, ct) => SatisfiedAsync(claimed.RunId, ids, ct),
                _ => SuspendedAttemptsAsync(claimed, stoppingToken)).ConfigureAwait(false);
            LuigiTelemetry.EndAttempt(span, outcome.State, outcome.Error);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            outcome = new AttemptOutcome(TaskState.Failed, exception, _context.Time.GetUtcNow(), null);
        }
        catch (Exception)
        {
            outcome = new AttemptOutcome(TaskState.Cancelled, null, _context.Time.GetUtcNow(), null);
        }
        finally
        {
            Volatile.Write(ref _running[claimed.Worker], null);
        }

        if (stoppingToken.IsCancellationRequested && outcome.State == TaskState.Cancelled)
        {
            await ReleaseAsync(claimed).ConfigureAwait(false);
            return null;
        }

        if (outcome is { State: TaskState.Pending, Requested: { } requested })
        {
            return await SuspendAsync(claimed, attempt, requested, stoppingToken).ConfigureAwait(false);
        }

        return new TaskCompletion(claimed.RunId, claimed.TaskIndex, claimed.TaskId, claimed.Attempt, outcome.State,
            outcome.ErrorText, outcome.RetryAt?.UtcDateTime, attempt.Log, attempt.TruncatedLines, outcome.FinishedAt.UtcDateTime)
        {
            RanBy = claimed.FromBuffer ? (claimed.Worker, claimed.StartedAt) : null,
            WaitingForDataUntil = outcome is { State: TaskState.RetryWaiting, Error: ExternalDataMissingException { Deadline: { } until } } ? until.UtcDateTime : null,
        };
    }

    /// <summary>
    /// Claims ahead while the host's tasks are short: once its last <see cref="ShortStreak"/> attempts each took less than
    /// <see cref="ShortAttempt"/>, claims take <see cref="AheadPerWorker"/> tasks per worker beyond the idle workers; an attempt
    /// that takes longer stops it. A task claimed ahead runs before a better one that becomes ready after it was claimed, so
    /// this is kept to long streams of short tasks, where that is a matter of milliseconds; a small graph keeps its order
    /// exactly. A queue in memory never claims ahead (its commits cost microseconds), nor a host with resources (their claims
    /// go worker by worker).
    /// </summary>
    private void ClaimAheadAfter(TimeSpan attempt)
    {
        if (_context.Engine.Resources.Count > 0)
        {
            return;
        }

        if (attempt >= ShortAttempt)
        {
            if (Interlocked.Exchange(ref _shortStreak, 0) >= ShortStreak)
            {
                _dispatcher.SetAhead(0);
            }
        }
        else if (Interlocked.Increment(ref _shortStreak) == ShortStreak)
        {
            _dispatcher.SetAhead(_context.Engine.Workers * AheadPerWorker);
        }
    }

    /// <summary>An attempt shorter than this counts as short (about the time of a few commits).</summary>
    internal static readonly TimeSpan ShortAttempt = TimeSpan.FromMilliseconds(10);

    /// <summary>How many short attempts in a row make a host claim ahead.</summary>
    internal const int ShortStreak = 32;

    /// <summary>How many tasks per worker a host claims ahead while its tasks are short: a commit then carries the outcomes
    /// of up to this many tasks per worker plus one, which spreads its fixed cost (benchmarks.md).</summary>
    internal const int AheadPerWorker = 8;

    /// <summary>Gives back tasks claimed ahead that no worker started: their attempts are taken back and they are ready again.</summary>
    private void GiveBack(IReadOnlyList<ClaimedTask> tasks)
    {
        foreach (var task in tasks)
        {
            _ = _writer.SubmitAsync(new TaskCompletion(task.RunId, task.TaskIndex, task.TaskId, task.Attempt, TaskState.Pending, null, null, [], 0,
                _context.Time.GetUtcNow().UtcDateTime));
        }
    }

    /// <summary>Which of these tasks are done in the run (for <see cref="TaskContext.RequireAsync(IEnumerable{LuigiTask}, CancellationToken)"/>).</summary>
    private async Task<IReadOnlySet<string>> SatisfiedAsync(Guid runId, IReadOnlyList<string> taskIds, CancellationToken cancellationToken) =>
        await _context.Retry.RunAsync("read the tasks done in the run", ct => _context.Queue.SatisfiedAsync(runId, taskIds, ct), cancellationToken).ConfigureAwait(false)
        ?? throw new OperationCanceledException(cancellationToken);

    /// <summary>How many earlier attempts of the task were suspended (they use none of its retries); read only after a failure.</summary>
    private async Task<int> SuspendedAttemptsAsync(ClaimedTask claimed, CancellationToken cancellationToken) => claimed.Attempt == 1 ? 0
        : await _context.Retry.RunAsync("count the suspended attempts", ct => _context.Queue.SuspendedAttemptsAsync(claimed.RunId, claimed.TaskIndex, ct), cancellationToken)
            .ConfigureAwait(false);

    /// <summary>
    /// The attempt required tasks at run time that are not complete: they are resolved here (completeness, requirements, a
    /// cycle among them, resources) and merged into the run with the requester suspended, in one step of the queue. Returns
    /// the outcome to commit when the request itself fails the task (a cycle, a resource that cannot be met), else null.
    /// </summary>
    private async ValueTask<TaskCompletion?> SuspendAsync(ClaimedTask claimed, AttemptRecord attempt, IReadOnlyList<LuigiTask> requested, CancellationToken stoppingToken)
    {
        TaskCompletion Fail(string error) => new(claimed.RunId, claimed.TaskIndex, claimed.TaskId, claimed.Attempt, TaskState.Failed, error, null,
            attempt.Log, attempt.TruncatedLines, _context.Time.GetUtcNow().UtcDateTime);

        TaskGraph graph;
        try
        {
            graph = await GraphBuilder.BuildAsync(requested, _context.Engine.CompletenessCheckConcurrency, stoppingToken).ConfigureAwait(false);
            ResourceCheck.Validate(graph, _context.Engine.Resources);
        }
        catch (Exception exception) when (exception is DependencyCycleException or ResourceException)
        {
            return Fail($"{claimed.TaskId} required at run time: {exception.Message}");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await ReleaseAsync(claimed).ConfigureAwait(false);
            return null;
        }

        SuspendResult? result;
        await _commitGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            result = await _context.Retry.RunAsync("suspend a task for its requirements", ct => _context.Queue.SuspendAsync(HostId, claimed, graph, attempt.Log, attempt.TruncatedLines, ct),
                CancellationToken.None, untilStopped: false).ConfigureAwait(false);
            if (result is null)
            {
                _context.Logger.LogWarning("{TaskId} attempt {Attempt} required tasks at run time, but the lease was lost: dropped", claimed.TaskId, claimed.Attempt);
                return null;
            }

            if (result.Plan.CycleError is { } cycle)
            {
                return Fail(cycle);
            }

            _context.Tasks.AddFound(claimed.RunId, result.Plan.Added.Select(a => a.Source.Task));
            if (_context.Tasks.GraphOf(claimed.RunId) is { } local)
            {
                DynamicRequirements.Merge(local, result.Plan); // the graph this process resolved (a queue in memory has merged it already)
            }

            foreach (var change in DynamicRequirements.Changes(claimed, result, _context.Time.GetUtcNow().UtcDateTime))
            {
                _context.Observers.TaskChanged(change);
            }
        }
        finally
        {
            _commitGate.Release();
        }

        if (result.RunFinished is { } finished)
        {
            _context.Finished(finished.RunId, finished.Pipeline, finished.State);
        }

        _dispatcher.Pulse();
        return null;
    }

    /// <summary>
    /// The completeness check of a task claimed for a second look. A check that throws fails the task, as it would have
    /// at resolution.
    /// </summary>
    private static async Task<bool> IsCompleteAsync(LuigiTask task, ClaimedTask claimed, CancellationToken cancellationToken)
    {
        try
        {
            return await task.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new InvalidOperationException($"Checking whether {claimed.TaskId} is complete (CompleteAsync/Output) threw: {exception.Message}", exception);
        }
    }

    private void ReportRunning(ClaimedTask claimed) => _context.Observers.TaskChanged(new TaskChange(
        claimed.RunId, claimed.TaskIndex, claimed.TaskId, TaskState.Running, claimed.Attempt, claimed.Worker, null, null, claimed.StartedAt));

    /// <summary>
    /// Tells the observers of the tasks a claim found held by another run (now <see cref="TaskState.Waiting"/>) and returns
    /// the tasks it did claim, for the workers.
    /// </summary>
    private List<ClaimedTask> ReportWaits(List<ClaimedTask> claimed)
    {
        if (!claimed.Exists(c => c.WaitsFor is not null))
        {
            return claimed;
        }

        foreach (var wait in claimed.Where(c => c.WaitsFor is not null))
        {
            _context.Observers.TaskChanged(new TaskChange(
                wait.RunId, wait.TaskIndex, wait.TaskId, TaskState.Waiting, wait.Attempt, null, null, wait.WaitsFor.ToString(), wait.StartedAt));
        }

        return claimed.FindAll(c => c.WaitsFor is null);
    }

    /// <summary>The run's id as tasks see it (<see cref="TaskContext.RunId"/>), formatted once per run rather than per attempt.</summary>
    private string RunIdText(Guid runId)
    {
        var last = Volatile.Read(ref _lastRunId);
        if (last?.Id != runId)
        {
            last = new RunIdString(runId, runId.ToString());
            Volatile.Write(ref _lastRunId, last);
        }

        return last.Text;
    }

    /// <summary>The pipeline of a run (for its attempts' spans) and when it started (the deadline of a wait for data), read once per run.</summary>
    private async Task<RunInfo> RunInfoAsync(Guid runId, CancellationToken stoppingToken)
    {
        if (_runs.TryGetValue(runId, out var info))
        {
            return info;
        }

        var run = await _context.Retry.RunAsync("read the run", ct => _context.Queue.FindRunAsync(runId, ct), stoppingToken).ConfigureAwait(false);
        return _runs[runId] = new RunInfo(run?.Pipeline ?? "",
            run?.StartedAt is { } started ? new DateTimeOffset(DateTime.SpecifyKind(started, DateTimeKind.Utc)) : null);
    }

    /// <summary>The host is stopping, not the run: the task goes back to the queue for another host.</summary>
    private Task ReleaseAsync(ClaimedTask claimed) =>
        _context.Retry.RunAsync("give a task back", ct => _context.Queue.ReleaseAsync(HostId, claimed, ct), CancellationToken.None, attempts: 3);

    private void OnCommitted(TaskCompletion completion, CompletionResult? result, Exception? error)
    {
        if (_context.Queue.GroupsCommits && _writer.Backlog == 0)
        {
            _dispatcher.Wake(); // a worker that went idle after the commit took the idle ones was skipped while the writer was busy
        }

        if (error is not null)
        {
            _context.Logger.LogError(error, "Outcome of {TaskId} attempt {Attempt} could not be written", completion.TaskId, completion.Attempt);
            return;
        }

        if (result is null)
        {
            _context.Logger.LogWarning("Outcome of {TaskId} attempt {Attempt} dropped: the lease was lost and the task was given to another attempt",
                completion.TaskId, completion.Attempt);
            return;
        }

        if (result.RunFinished is { } finished)
        {
            _runs.TryRemove(completion.RunId, out _);
            _context.Finished(completion.RunId, result.Pipeline ?? "", finished);
        }

        if (completion.State == TaskState.RetryWaiting)
        {
            PulseAt(completion.RetryAt);
        }
        else if (_context.Engine.Resources.Count > 0)
        {
            // Tasks that need resources are claimed by the dispatcher alone, and this attempt may have given back what
            // they wait for. Told now, once the writer no longer counts this outcome, so the dispatcher does not skip it.
            _dispatcher.Pulse();
        }
    }

    /// <summary>
    /// Wakes the dispatcher when a task's retry delay is over, so that it is claimed then and not at the next poll (a queue
    /// in memory is never polled). A timer may fire a little before the clock reads the time it was set for (timers and
    /// the wall clock are different clocks): then it is set again for what is left, since a claim made early finds nothing.
    /// </summary>
    private void PulseAt(DateTime? at)
    {
        var delay = at is { } due ? due - _context.Time.GetUtcNow().UtcDateTime : TimeSpan.Zero;
        if (delay <= TimeSpan.Zero)
        {
            _dispatcher.Pulse();
            return;
        }

        ITimer? timer = null;
        timer = _context.Time.CreateTimer(state =>
        {
            if (timer is not null && _retryTimers.TryRemove(timer, out _))
            {
                timer.Dispose();
            }

            PulseAt(at);
        }, null, delay, Timeout.InfiniteTimeSpan);
        _retryTimers[timer] = 0;
    }

    /// <summary>The attempt a worker slot runs (slots are written only by their own worker, so no lock is needed).</summary>
    private sealed record RunningAttempt(Guid RunId, int TaskIndex, CancellationTokenSource Token);

    private sealed record RunIdString(Guid Id, string Text);

    private sealed record RunInfo(string Pipeline, DateTimeOffset? StartedAt);
}
