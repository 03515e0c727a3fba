using Luigi.Engine.Execution;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Storage;

// StoreExecutor's workers: claiming ready tasks, running their attempts, committing the outcomes in groups
// (claiming again in the same transaction), and stopping the attempts of runs being cancelled.
public sealed partial class StoreExecutor
{
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
}
