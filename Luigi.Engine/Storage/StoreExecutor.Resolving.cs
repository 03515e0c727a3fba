using Luigi.Engine.Graph;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage.Entities;

namespace Luigi.Engine.Storage;

// StoreExecutor's resolution of queued runs: a run is taken from the queue, its graph built (a re-run's
// scope applied) and written, or the run failed when the graph cannot be built.
public sealed partial class StoreExecutor
{
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
            graph = _resolvedHere.TryRemove(run.Id, out var given) ? given : await BuildGraphAsync(run, stoppingToken).ConfigureAwait(false);
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
                Notify(run.Id, RunState.Failed);
            }

            // Otherwise the host is stopping: the run stays Resolving and goes back to the queue once this host's
            // heartbeat is stale; nobody is told it failed.
            return;
        }

        _tasks.Add(run.Id, graph);
        var saved = await _retry.RunAsync("save the graph", ct => _queue.SaveGraphAsync(run.Id, graph, ct), stoppingToken).ConfigureAwait(false);
        if (saved is not null)
        {
            _observers.Cancelled(saved);
            _observers.RunChanged(saved.RunId, saved.Pipeline, saved.State);
        }

        if (saved is { State: RunState.Succeeded or RunState.Failed or RunState.Cancelled })
        {
            Notify(run.Id, saved.State);
        }

        _work.Pulse();
    }

    private async Task<TaskGraph> BuildGraphAsync(RunRecord run, CancellationToken stoppingToken)
    {
        var roots = _pipelines.Create(run.Pipeline, run.Parameters).Roots().ToList();
        var overrides = await _queue.PlanRerunAsync(run, stoppingToken).ConfigureAwait(false);
        return await GraphBuilder.BuildAsync(roots, _engine.CompletenessCheckConcurrency, stoppingToken, overrides).ConfigureAwait(false);
    }

    private async Task WaitQuietlyAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _work.WaitAsync(PollInterval, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
