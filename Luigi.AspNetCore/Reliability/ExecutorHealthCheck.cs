using Luigi.Engine.Storage;
using Luigi.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Luigi.Engine.Execution;

namespace Luigi.Web.Reliability;

/// <summary>
/// Readiness of this host's executor: its loop is running and its heartbeat in the store is fresh, no older than the
/// lease (<c>Luigi:Executor:Lease</c>). Past that, other hosts may take its tasks over: a host whose heartbeat stalls
/// (a database it cannot write to, a loop that died) must not be counted as one doing work.
/// </summary>
internal sealed class ExecutorHealthCheck(LuigiStore store, StoreExecutor executor, StoreExecutorOptions options, ExecutorHostedService hosted, TimeProvider time)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (hosted.ExecuteTask is { IsCompleted: true } ended)
        {
            return HealthCheckResult.Unhealthy("The executor has stopped.", ended.Exception);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StoreHealthCheck.Timeout);
        try
        {
            await using var db = store.CreateDbContext();
            var id = executor.Host.Id;
            var heartbeat = await db.Hosts.Where(h => h.Id == id).Select(h => (DateTime?)h.HeartbeatAt).FirstOrDefaultAsync(timeout.Token);
            if (heartbeat is not { } at)
            {
                return HealthCheckResult.Unhealthy($"Host {id} has not registered in the store yet.");
            }

            var age = time.GetUtcNow().UtcDateTime - at;
            return age <= options.Lease
                ? HealthCheckResult.Healthy($"Host {id} beat {age.TotalSeconds:0.0} s ago.")
                : HealthCheckResult.Unhealthy($"Host {id} last beat {age.TotalSeconds:0} s ago, longer than its lease ({options.Lease.TotalSeconds:0} s).");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The store did not answer within {StoreHealthCheck.Timeout.TotalSeconds:0} s.");
        }
        catch (Exception exception) when (StoreFaults.IsUnreachable(exception))
        {
            return HealthCheckResult.Unhealthy("The store is unreachable: the heartbeat cannot be read.", exception);
        }
    }
}
