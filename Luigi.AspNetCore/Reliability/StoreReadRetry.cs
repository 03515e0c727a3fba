using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Luigi.Web.Reliability;

/// <summary>
/// The EF Core execution strategy of the web host's reads of the store (the API, the dashboard, API token lookups):
/// an operation that meets an outage (<see cref="StoreFaults.IsUnreachable"/>) is tried again on a fresh connection,
/// at most <see cref="MaxRetries"/> times within about a second, so a pooled connection broken by a database restart
/// costs a retry, not a failed request; an outage that lasts longer fails fast and is answered 503.
/// Inside a transaction the caller opened, nothing is retried (a retry would replay half a transaction), and such a
/// transaction is allowed, unlike with EF Core's own retrying strategies.
/// </summary>
public sealed class StoreReadRetry(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, MaxRetries, TimeSpan.FromMilliseconds(500))
{
    /// <summary>How many times a failed operation is tried again.</summary>
    public const int MaxRetries = 2;

    private bool InTransaction => Dependencies.CurrentContext.Context.Database.CurrentTransaction is not null;

    protected override void OnFirstExecution()
    {
        if (InTransaction)
        {
            ExceptionsEncountered.Clear();
            return;
        }

        base.OnFirstExecution();
    }

    protected override bool ShouldRetryOn(Exception exception) => !InTransaction && StoreFaults.IsUnreachable(exception);
}
