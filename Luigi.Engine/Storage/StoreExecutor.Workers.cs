using Luigi.Engine.Execution;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Storage;

// StoreExecutor's workers: claiming ready tasks, running their attempts, committing the outcomes in groups
// (claiming again in the same transaction), and stopping the attempts of runs being cancelled.
public sealed partial class StoreExecutor
{
    private async Task<List<ClaimedTask>?> ClaimAsync(IReadOnlyList<int> idleWorkers, CancellationToken stoppingToken)
    {
        // Not between a commit and its report to the observers: a dependent it released would be seen starting before its requirement ended.
        await _commitGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            return await _retry.RunAsync("claim tasks", ct => _queue.ClaimAsync(Host.Id, idleWorkers, _options.Lease, OnlyRun, ct), stoppingToken)
                .ConfigureAwait(false);
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
    private async Task<CompletionResult?[]> CommitAsync(IReadOnlyList<TaskCompletion> group, WorkDispatcher dispatcher)
    {
        var idle = dispatcher.TakeIdle(evenWithoutWork: group.Any(c => c.State is TaskState.Done or TaskState.RetryWaiting));
        var claim = idle is null ? null : new ClaimRequest(idle, _options.Lease, OnlyRun);
        List<ClaimedTask>? claimed = null;
        await _commitGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
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
            _commitGate.Release();
            if (idle is not null)
            {
                dispatcher.Deliver(idle, claimed ?? []);
            }
        }
    }

    private async Task WorkerLoopAsync(int worker, WorkDispatcher dispatcher, CompletionWriter writer, CancellationToken stoppingToken)
    {
        var next = await dispatcher.NextAsync(worker).ConfigureAwait(false);
        while (next is { } claimed)
        {
            next = null;
            if (await ExecuteAsync(claimed, stoppingToken).ConfigureAwait(false) is { } completion)
            {
                if (_queue.GroupsCommits)
                {
                    var committed = writer.SubmitAsync(completion);
                    if (writer.Backlog > _engine.Workers * 4)
                    {
                        await committed.ConfigureAwait(false); // the database lags: hold this worker rather than let outcomes pile up
                    }
                }
                else
                {
                    next = await CommitInlineAsync(completion, worker, dispatcher).ConfigureAwait(false);
                }
            }

            next ??= await dispatcher.NextAsync(worker).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Commits one outcome from its worker, claiming in the same step for this worker and the idle ones: a queue in
    /// memory commits in microseconds, so group commit would only add hand-offs. Returns this worker's next task, if any.
    /// </summary>
    private async ValueTask<ClaimedTask?> CommitInlineAsync(TaskCompletion completion, int worker, WorkDispatcher dispatcher)
    {
        var idle = dispatcher.TakeIdle(evenWithoutWork: true) ?? [];
        var claim = new ClaimRequest([worker, .. idle], _options.Lease, OnlyRun);
        List<ClaimedTask> claimed = [];
        CompletionResult? result;
        await _commitGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            (var results, claimed) = await _queue.CompleteAsync(Host.Id, [completion], claim, CancellationToken.None).ConfigureAwait(false);
            result = results[0];
            _observers.Committed([completion], results);
        }
        finally
        {
            _commitGate.Release();
            if (idle.Length > 0)
            {
                dispatcher.Deliver(idle, claimed.FindAll(c => c.Worker != worker));
            }
            else if (claimed.Count == claim.Workers.Count)
            {
                dispatcher.MayHaveWork(); // every worker asked for got a task: more may be ready for the next one idle
            }
        }

        OnCommitted(completion, result, null, dispatcher);
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
        if (_cancelledHere.ContainsKey(claimed.RunId))
        {
            await attemptToken.CancelAsync().ConfigureAwait(false); // claimed just before the cancel: it must not run on
        }

        _observers.TaskChanged(new TaskChange(
            claimed.RunId, claimed.TaskIndex, claimed.TaskId, TaskState.Running, claimed.Attempt, claimed.Worker, null, null, claimed.StartedAt));
        var attempt = new AttemptRecord(claimed.Attempt, claimed.Worker, new DateTimeOffset(claimed.StartedAt, TimeSpan.Zero));
        AttemptOutcome outcome;
        try
        {
            // Finding the task may read the store (a run resolved by another host): an outage there is no fault of the task's.
            if (!_tasks.TryGet(claimed.RunId, claimed.TaskId, out var task))
            {
                task = await _retry.RunAsync("load the task", ct => _tasks.GetAsync(claimed.RunId, claimed.TaskId, ct).AsTask(), stoppingToken)
                    .ConfigureAwait(false) ?? throw new OperationCanceledException(stoppingToken);
            }

            outcome = await _attempts.RunAsync(task, claimed.TaskId, RunIdText(claimed.RunId), attempt, task.Timeout,
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
            Volatile.Write(ref _running[claimed.Worker], null);
        }

        if (stoppingToken.IsCancellationRequested && outcome.State == TaskState.Cancelled)
        {
            await ReleaseAsync(claimed).ConfigureAwait(false);
            return null;
        }

        return new TaskCompletion(claimed.RunId, claimed.TaskIndex, claimed.TaskId, claimed.Attempt, outcome.State,
            outcome.Error?.ToString(), outcome.RetryAt?.UtcDateTime, attempt.Log, attempt.TruncatedLines, outcome.FinishedAt.UtcDateTime);
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

    private sealed record RunIdString(Guid Id, string Text);

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
            PulseAt(completion.RetryAt, dispatcher);
        }
    }

    /// <summary>Wakes the dispatcher when a task's retry delay is over, so that it is claimed then and not at the next poll.</summary>
    private void PulseAt(DateTime? at, WorkDispatcher dispatcher)
    {
        var delay = at is { } due ? due - _time.GetUtcNow().UtcDateTime : TimeSpan.Zero;
        if (delay <= TimeSpan.Zero)
        {
            dispatcher.Pulse();
            return;
        }

        ITimer? timer = null;
        timer = _time.CreateTimer(state =>
        {
            dispatcher.Pulse();
            if (timer is not null && _retryTimers.TryRemove(timer, out _))
            {
                timer.Dispose();
            }
        }, null, delay, Timeout.InfiniteTimeSpan);
        _retryTimers[timer] = 0;
    }

    private void StopAttemptsOf(IReadOnlyCollection<Guid> runIds)
    {
        foreach (var attempt in RunningAttempts)
        {
            if (runIds.Contains(attempt.RunId))
            {
                attempt.Token.Cancel();
            }
        }
    }
}
