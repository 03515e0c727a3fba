using Luigi.Engine.Monitoring;
using Luigi.Web.Reliability;

namespace Luigi.Web.Monitoring;

/// <summary>Reads the store-wide counts behind the gauges every <see cref="TelemetryOptions.GaugeInterval"/>, so that a
/// scrape never waits for the database; while the store is unreachable the gauges keep their last values.</summary>
internal sealed class StoreGaugeService(StoreGaugeReader reader, LuigiTelemetry telemetry, TelemetryOptions options, TimeProvider time,
    ILogger<StoreGaugeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.GaugeInterval, time);
        do
        {
            try
            {
                telemetry.UpdateStore(await reader.ReadAsync(stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (StoreFaults.IsUnreachable(exception))
            {
                logger.LogDebug("Could not read the gauges: the store is unreachable ({Error})", exception.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
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
