using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.Execution;

namespace Luigi.Web.Email;

/// <summary>
/// Decides which e-mail the store's recent failures and finished runs call for, and writes it to the
/// outbox: one digest per run and batching window (windows on a grid from the run's creation, see <see cref="DigestWindows"/>)
/// and one summary per finished run, as <see cref="EmailOptions.Summary"/> says. Everything is derived
/// from committed rows and written under a unique key, so the host that saw the failure, a host that
/// sweeps after another died, and several hosts at once all write the same messages once.
/// </summary>
public sealed class EmailPlanner(LuigiStore store, EmailOutbox outbox, EmailOptions options, TimeProvider time)
{
    /// <summary>Plans the messages of <paramref name="runId"/>, or of every run with news since <see cref="EmailOptions.SweepLookback"/>.</summary>
    /// <returns>How many messages were added.</returns>
    public async Task<int> PlanAsync(Guid? runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var since = now - options.SweepLookback;
        return await PlanDigestsAsync(runId, since, now, cancellationToken) + await PlanSummariesAsync(runId, since, now, cancellationToken);
    }

    private async Task<int> PlanDigestsAsync(Guid? runId, DateTime since, DateTime now, CancellationToken cancellationToken)
    {
        List<(Guid RunId, DateTime At, DateTime Anchor)> failures;
        await using (var context = store.CreateDbContext())
        {
            var query = context.RunTasks.AsNoTracking().Where(t => t.State == TaskState.Failed && t.FinishedAt >= since);
            if (runId is { } only)
            {
                query = query.Where(t => t.RunId == only);
            }

            failures = (await query.Join(context.Runs, t => t.RunId, r => r.Id, (t, r) => new { t.RunId, At = t.FinishedAt!.Value, Anchor = r.CreatedAt })
                    .ToListAsync(cancellationToken))
                .Select(f => (f.RunId, f.At, f.Anchor)).ToList();
        }

        if (failures.Count == 0)
        {
            return 0;
        }

        var existing = await outbox.DigestWindowsAsync(failures.Select(f => f.RunId).Distinct().ToList(), cancellationToken);
        var added = 0;
        foreach (var run in failures.GroupBy(f => f.RunId))
        {
            foreach (var (start, end) in DigestWindows.Plan(run.Select(f => f.At), existing[run.Key], options.BatchWindow, run.First().Anchor))
            {
                added += await outbox.AddAsync(new EmailOutboxRecord
                {
                    Id = Guid.CreateVersion7(time.GetUtcNow()),
                    Key = $"digest:{run.Key}:{start.Ticks}",
                    Kind = EmailKind.Digest,
                    RunId = run.Key,
                    WindowStart = start,
                    WindowEnd = end,
                    CreatedAt = now,
                    NextAttemptAt = end,
                }, cancellationToken) ? 1 : 0;
            }
        }

        return added;
    }

    private async Task<int> PlanSummariesAsync(Guid? runId, DateTime since, DateTime now, CancellationToken cancellationToken)
    {
        if (options.Summary == SummaryPolicy.Never)
        {
            return 0;
        }

        List<Guid> finished;
        await using (var context = store.CreateDbContext())
        {
            var query = context.Runs.AsNoTracking().Where(r => r.FinishedAt >= since);
            query = options.Summary == SummaryPolicy.OnFailure
                ? query.Where(r => r.State == RunState.Failed)
                : query.Where(r => r.State == RunState.Failed || r.State == RunState.Succeeded || r.State == RunState.Cancelled);
            if (runId is { } only)
            {
                query = query.Where(r => r.Id == only);
            }

            finished = await query.Select(r => r.Id).ToListAsync(cancellationToken);
        }

        var keys = finished.ToDictionary(id => $"summary:{id}");
        var existing = await outbox.ExistingKeysAsync(keys.Keys, cancellationToken);
        var added = 0;
        foreach (var (key, id) in keys.Where(k => !existing.Contains(k.Key)))
        {
            added += await outbox.AddAsync(new EmailOutboxRecord
            {
                Id = Guid.CreateVersion7(time.GetUtcNow()),
                Key = key,
                Kind = EmailKind.Summary,
                RunId = id,
                CreatedAt = now,
                NextAttemptAt = now,
            }, cancellationToken) ? 1 : 0;
        }

        return added;
    }
}
