using Luigi.Engine.Graph;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage.Entities;

namespace Luigi.Engine.Execution;

/// <summary>
/// A host's resolution of queued runs: a run is taken from the queue, its graph built (a re-run's scope applied) and
/// written, or the run failed as a whole when the graph cannot be built (an unknown pipeline, a bad parameter, a cycle).
/// </summary>
internal sealed class RunResolver(ExecutorContext context, Guid? onlyRun)
{
    /// <summary>Takes and resolves queued runs until <paramref name="stoppingToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var run = await context.Retry.RunAsync("take a queued run", ct => context.Queue.TakeQueuedRunAsync(context.Identity.Id, onlyRun, context.Limits, ct), stoppingToken)
                .ConfigureAwait(false);
            if (run is null)
            {
                await WaitQuietlyAsync(stoppingToken).ConfigureAwait(false);
                continue;
            }

            context.Observers.RunChanged(run.Id, run.Pipeline, RunState.Resolving);
            await ResolveAsync(run, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task ResolveAsync(RunRecord run, CancellationToken stoppingToken)
    {
        TaskGraph graph;
        try
        {
            graph = context.Signals.ResolvedHere.TryRemove(run.Id, out var given) ? given : await BuildGraphAsync(run, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return; // left Resolving; handed back to the queue once this host's heartbeat is stale
        }
        catch (Exception exception)
        {
            var error = exception is UnknownPipelineException or ParameterException or DependencyCycleException or ResourceException
                ? exception.Message
                : $"Pipeline {run.Pipeline} could not build its graph: {exception}";
            if (await context.Retry.RunAsync("fail the run", ct => context.Queue.FailRunAsync(run.Id, error, ct), stoppingToken).ConfigureAwait(false))
            {
                context.Finished(run.Id, run.Pipeline, RunState.Failed);
            }

            // Otherwise the host is stopping: the run stays Resolving and goes back to the queue once this host's
            // heartbeat is stale; nobody is told it failed.
            return;
        }

        context.Tasks.Add(run.Id, graph);
        context.Observers.GraphResolved(run.Id, graph);
        var saved = await context.Retry.RunAsync("save the graph", ct => context.Queue.SaveGraphAsync(run.Id, graph, ct), stoppingToken).ConfigureAwait(false);
        if (saved is not null)
        {
            context.Observers.Cancelled(saved);
            if (saved.State is RunState.Succeeded or RunState.Failed or RunState.Cancelled)
            {
                context.Finished(saved.RunId, saved.Pipeline, saved.State);
            }
            else
            {
                context.Observers.RunChanged(saved.RunId, saved.Pipeline, saved.State);
            }
        }

        context.Signals.Work.Pulse();
    }

    private async Task<TaskGraph> BuildGraphAsync(RunRecord run, CancellationToken stoppingToken)
    {
        var roots = context.Pipelines.Create(run.Pipeline, run.Parameters).Roots().ToList();
        var overrides = await context.Queue.PlanRerunAsync(run, stoppingToken).ConfigureAwait(false);
        var graph = await GraphBuilder.BuildAsync(roots, context.Engine.CompletenessCheckConcurrency, stoppingToken, overrides).ConfigureAwait(false);
        ResourceCheck.Validate(graph, context.Engine.Resources);
        return graph;
    }

    private async Task WaitQuietlyAsync(CancellationToken stoppingToken)
    {
        try
        {
            await context.Signals.Work.WaitAsync(context.PollInterval, context.Time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
