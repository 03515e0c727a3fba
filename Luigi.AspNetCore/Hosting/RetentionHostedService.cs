using Luigi.Engine.Storage;
using Luigi.Web.Reliability;
using Luigi.Engine.Retention;

namespace Luigi.Web.Hosting;

/// <summary>
/// Deletes runs past the retention (<c>Luigi:Retention:Days</c>) every <c>Luigi:Retention:Interval</c>, on every host:
/// on a shared PostgreSQL one sweeps at a time (<see cref="RunRetention"/>), and the others find nothing to do. A sweep
/// that meets an outage of the store, or fails otherwise, is logged and tried again at the next interval: retention
/// never stops a host. Does nothing when retention is off.
/// </summary>
internal sealed class RetentionHostedService(LuigiStore store, RetentionOptions options, TimeProvider time, ILogger<RetentionHostedService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        var retention = new RunRetention(store);
        using var timer = new PeriodicTimer(options.Interval, time);
        do
        {
            await SweepAsync(retention, stoppingToken);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>One sweep: runs that finished more than <see cref="RetentionOptions.Days"/> ago.</summary>
    internal async Task SweepAsync(RunRetention retention, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime.AddDays(-options.Days);
        try
        {
            var deleted = await retention.DeleteFinishedBeforeAsync(cutoff, options.BatchSize, cancellationToken);
            if (deleted.Runs > 0 || deleted.Tasks > 0)
            {
                logger.LogInformation("Retention: deleted {Runs} runs ({Tasks} tasks) that finished before {Cutoff:u}", deleted.Runs, deleted.Tasks, cutoff);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (StoreFaults.IsUnreachable(exception))
        {
            logger.LogWarning("Retention: the store is unreachable ({Error}); trying again in {Interval}", exception.Message, options.Interval);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Retention: the sweep failed; trying again in {Interval}", options.Interval);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
