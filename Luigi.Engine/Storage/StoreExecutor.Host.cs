using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Storage;

// StoreExecutor's host lifecycle: registering the host, running its loops (workers, claims, group commit,
// resolution, heartbeat) until it is stopped, and the heartbeat that renews its leases, hands back the
// tasks of dead hosts and stops the attempts of cancelled runs.
public sealed partial class StoreExecutor
{
    /// <summary>Records this host in the store (also done when <see cref="RunAsync"/> starts).</summary>
    public Task RegisterAsync(CancellationToken cancellationToken = default) => _queue.HeartbeatAsync(Host, _options.Lease, [], cancellationToken);

    /// <summary>How long an idle loop waits before looking again: a queue no other process changes wakes it itself.</summary>
    private TimeSpan PollInterval => _queue.IsShared ? _options.PollInterval : Timeout.InfiniteTimeSpan;

    /// <summary>Runs this host until <paramref name="stoppingToken"/> fires; running attempts are then stopped
    /// and their tasks given back to the queue, and every outcome already computed is written before it returns.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await _retry.RunAsync("register the host", ct => _queue.HeartbeatAsync(Host, _options.Lease, [], ct), stoppingToken).ConfigureAwait(false);
        var dispatcher = new WorkDispatcher(_engine.Workers);
        var writer = new CompletionWriter();
        var loops = new List<Task>();
        if (_queue.IsShared)
        {
            loops.Add(Task.Run(() => HeartbeatLoopAsync(writer, stoppingToken), CancellationToken.None));
        }

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
                .Append(Task.Run(() => dispatcher.RunAsync(ClaimAsync, () => writer.Backlog > 0, PollInterval, _time, stoppingToken),
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
            foreach (var timer in _retryTimers.Keys)
            {
                timer.Dispose();
            }

            _retryTimers.Clear();
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

    /// <summary>
    /// Every heartbeat interval: renews this host's leases (and stops the attempts whose lease was lost to another
    /// host), puts back the tasks of hosts whose leases ran out, ends what dead hosts left half done, stops the attempts
    /// of runs being cancelled, and answers those waiting for runs other hosts ended.
    /// </summary>
    private async Task HeartbeatLoopAsync(CompletionWriter writer, CancellationToken stoppingToken)
    {
        // When the store was out of reach, nobody could renew a lease: every live host renews its own at the first heartbeat
        // that gets through, so this host waits a whole lease after that before it takes anyone's tasks for expired.
        var reachableSince = _time.GetUtcNow() - _options.Lease;
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
                var holds = RunningAttempts.Select(a => (a.RunId, a.TaskIndex)).Concat(writer.Pending).ToHashSet();
                StopLostAttempts(await _queue.HeartbeatAsync(Host, _options.Lease, holds, ct).ConfigureAwait(false));
                if (_time.GetUtcNow() - reachableSince >= _options.Lease)
                {
                    await RequeueExpiredAsync(ct).ConfigureAwait(false);
                }

                var running = RunningAttempts.Select(a => a.RunId).Concat(_awaited.Keys).ToHashSet();
                StopAttemptsOf(await _queue.CancellingAsync(running, ct).ConfigureAwait(false));
                foreach (var runId in _awaited.Keys)
                {
                    await NotifyIfFinishedAsync(runId, ct).ConfigureAwait(false);
                }

                return true;
            }, stoppingToken, onTransient: () => reachableSince = _time.GetUtcNow()).ConfigureAwait(false);
        }
    }

    /// <summary>Puts back in the queue what hosts that stopped renewing held, and tells the observers.</summary>
    private async Task RequeueExpiredAsync(CancellationToken cancellationToken)
    {
        var requeued = await _queue.RequeueExpiredAsync(_options.Lease * 2, cancellationToken).ConfigureAwait(false);
        if (requeued.Tasks.Count > 0)
        {
            _logger.LogWarning("Put {Count} tasks with expired leases back in the queue", requeued.Tasks.Count);
            var now = _time.GetUtcNow().UtcDateTime;
            foreach (var (runId, taskIndex, taskId) in requeued.Tasks)
            {
                _observers.TaskChanged(new TaskChange(runId, taskIndex, taskId, TaskState.Pending, 0, null, null, null, now));
            }

            _work.Pulse();
        }

        foreach (var run in requeued.Runs)
        {
            _logger.LogWarning("Run {Run} was left {Was} by a host that stopped; it is now {State}", run.RunId,
                run.State == RunState.Cancelled ? RunState.Cancelling : RunState.Resolving, run.State);
            _observers.RunChanged(run.RunId, run.Pipeline, run.State);
            if (run.State == RunState.Cancelled)
            {
                Notify(run.RunId, run.State);
            }
        }
    }

    /// <summary>
    /// This host lost these tasks (it was stopped or cut off past its lease, and another attempt took them over): their
    /// attempts here are cancelled, so that cooperative tasks stop, and their outcomes will be refused.
    /// </summary>
    private void StopLostAttempts(IReadOnlyList<(Guid RunId, int TaskIndex)> lost)
    {
        foreach (var attempt in RunningAttempts)
        {
            if (lost.Contains((attempt.RunId, attempt.TaskIndex)))
            {
                _logger.LogWarning("Lost the lease of task {TaskIndex} of run {Run} to another attempt; stopping this one", attempt.TaskIndex, attempt.RunId);
                attempt.Token.Cancel();
            }
        }
    }
}
