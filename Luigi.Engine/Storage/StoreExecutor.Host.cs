using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Storage;

// StoreExecutor's host lifecycle: registering the host, running its loops (workers, claims, group commit,
// resolution, heartbeat) until it is stopped, and the heartbeat that renews its leases, hands back the
// tasks of dead hosts and stops the attempts of cancelled runs.
public sealed partial class StoreExecutor
{
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
                if (requeued.Tasks.Count > 0)
                {
                    _logger.LogWarning("Put {Count} tasks with expired leases back in the queue", requeued.Tasks.Count);
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
}
