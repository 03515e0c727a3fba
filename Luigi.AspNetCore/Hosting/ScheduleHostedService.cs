using Luigi.Engine.Schedules;
using Luigi.Engine.Pipelines;
using Luigi.Web.Reliability;

namespace Luigi.Web.Hosting;

/// <summary>
/// Applies the schedules declared in code when the host starts, then (unless <c>Luigi:Schedules:Enabled</c> is false)
/// ticks the store's schedules and drives its backfills: at each fire time, and at least every
/// <c>Luigi:Schedules:PollInterval</c> to see what other hosts changed; at once when this host starts a backfill. Every
/// host may do so: the store keeps it to one run per fire time and one per backfill date. A tick that meets an outage of
/// the store is logged and tried again: schedules never stop a host.
/// </summary>
internal sealed class ScheduleHostedService(
    ScheduleStore schedules, ScheduleTicker ticker, Backfills backfills, PipelineRegistry pipelines, ScheduleOptions options, ScheduleSignal signal,
    TimeProvider time, ILogger<ScheduleHostedService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var (name, error) in await schedules.DeclareAsync(ScheduleStore.DeclaredIn(pipelines), cancellationToken))
            {
                logger.LogError("The schedule {Schedule} declared in code is not applied: {Error}", name, error.Message);
            }
        }
        catch (Exception exception) when (StoreFaults.IsUnreachable(exception))
        {
            logger.LogWarning("Schedules declared in code are not applied: the store is unreachable ({Error}); they will be at the next start", exception.Message);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = await TickAsync(stoppingToken);
            await signal.WaitAsync(wait, time, stoppingToken);
        }
    }

    /// <summary>One tick: schedules, then backfills. Returns how long to wait for the next.</summary>
    private async Task<TimeSpan> TickAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ticker.TickAsync(stoppingToken);
            await backfills.DriveAsync(stoppingToken);
            var next = await ticker.NextFireAtAsync(stoppingToken);
            var untilNext = next is { } at ? at - time.GetUtcNow() : options.PollInterval;
            return untilNext < options.PollInterval ? untilNext < TimeSpan.Zero ? TimeSpan.Zero : untilNext : options.PollInterval;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return TimeSpan.Zero;
        }
        catch (Exception exception) when (StoreFaults.IsUnreachable(exception))
        {
            logger.LogWarning("Schedules: the store is unreachable ({Error}); trying again in {Interval}", exception.Message, options.PollInterval);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Schedules: the tick failed; trying again in {Interval}", options.PollInterval);
        }

        return options.PollInterval;
    }
}
