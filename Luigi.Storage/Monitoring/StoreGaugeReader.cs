using Luigi.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Engine.Monitoring;

/// <summary>
/// Reads the counts behind <see cref="LuigiTelemetry"/>'s gauges from the store: ready tasks, running tasks and e-mail
/// waiting in the outbox. Each count is answered by a partial index of the store (the claim's, the leases', the
/// sender's), so reading them costs little however many runs the store holds.
/// </summary>
/// <param name="store">The run store.</param>
/// <param name="emailPending">Counts the e-mail waiting in the outbox, which the web host keeps in its own model; none without it.</param>
public sealed class StoreGaugeReader(LuigiStore store, Func<CancellationToken, Task<int>>? emailPending = null)
{
    public async Task<StoreGauges> ReadAsync(CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateDbContext();
        var ready = await db.RunTasks
            .CountAsync(t => (t.State == TaskState.Pending || t.State == TaskState.RetryWaiting) && t.RemainingRequirements == 0, cancellationToken)
            .ConfigureAwait(false);
        var running = await db.RunTasks.CountAsync(t => t.State == TaskState.Running, cancellationToken).ConfigureAwait(false);
        var email = emailPending is null ? 0 : await emailPending(cancellationToken).ConfigureAwait(false);
        return new StoreGauges(ready, running, email);
    }
}
