using Luigi.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Luigi.Web.Reliability;

/// <summary>
/// Readiness of the store: the database answers, within <see cref="Timeout"/>, and has every migration this build
/// knows applied (a host started before its migrations ran, or on a database another version migrated, is not ready).
/// </summary>
internal sealed class StoreHealthCheck(LuigiStore store) : IHealthCheck
{
    /// <summary>How long the check waits for the database, below a container health check's usual 5 s.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var db = store.CreateDbContext();
            var pending = (await db.Database.GetPendingMigrationsAsync(timeout.Token)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy($"The {store.Provider} store answers and its schema is up to date.")
                : HealthCheckResult.Unhealthy($"The {store.Provider} store has {pending.Count} migrations to apply ({string.Join(", ", pending)}).");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The {store.Provider} store did not answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (Exception exception) when (StoreFaults.IsUnreachable(exception))
        {
            return HealthCheckResult.Unhealthy($"The {store.Provider} store is unreachable.", exception);
        }
    }
}
