using Luigi.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Email;

/// <summary>
/// The e-mail outbox in the store's database (the web host's own model, <see cref="EmailDbContext"/>), shared by every host: messages are added once per key, claimed by one
/// host at a time (<c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL; SQLite has one writer and one host), and
/// marked sent, skipped, or failed with the time of the next try.
/// </summary>
public sealed class EmailOutbox(EmailStore store, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Adds <paramref name="message"/> unless a message with its key exists; true when it was added.</summary>
    public async Task<bool> AddAsync(EmailOutboxRecord message, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        if (await context.EmailOutbox.AnyAsync(m => m.Key == message.Key, cancellationToken))
        {
            return false;
        }

        context.EmailOutbox.Add(message);
        try
        {
            await context.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another host added the same key between the check and the insert: the unique index kept one.
            await using var check = store.CreateDbContext();
            if (await check.EmailOutbox.AnyAsync(m => m.Key == message.Key, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }

    /// <summary>The keys among <paramref name="keys"/> already in the outbox.</summary>
    public async Task<HashSet<string>> ExistingKeysAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        return (await context.EmailOutbox.AsNoTracking().Where(m => keys.Contains(m.Key)).Select(m => m.Key).ToListAsync(cancellationToken)).ToHashSet();
    }

    /// <summary>The digest windows already written for <paramref name="runIds"/>.</summary>
    public async Task<ILookup<Guid, (DateTime Start, DateTime End)>> DigestWindowsAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        var windows = await context.EmailOutbox.AsNoTracking()
            .Where(m => m.Kind == EmailKind.Digest && m.RunId != null && runIds.Contains(m.RunId.Value))
            .Select(m => new { RunId = m.RunId!.Value, Start = m.WindowStart!.Value, End = m.WindowEnd!.Value })
            .ToListAsync(cancellationToken);
        return windows.ToLookup(w => w.RunId, w => (w.Start, w.End));
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> due messages for <paramref name="hostId"/> until
    /// <paramref name="claimTimeout"/> from now, oldest due first. A claim left by a host that died expires.
    /// </summary>
    public async Task<List<EmailOutboxRecord>> ClaimAsync(string hostId, int max, TimeSpan claimTimeout, CancellationToken cancellationToken)
    {
        var now = Now;
        var until = now + claimTimeout;
        await using var context = store.CreateDbContext();
        var skipLocked = store.Provider == StoreProvider.Postgres ? " FOR UPDATE SKIP LOCKED" : "";
        // Only the provider's locking clause is spliced in; every value is a parameter.
        var sql = $$"""
            UPDATE email_outbox SET claimed_by = {0}, claimed_until = {1}
            WHERE id IN (
                SELECT id FROM email_outbox
                WHERE sent_at IS NULL AND skipped_reason IS NULL AND next_attempt_at <= {2} AND (claimed_until IS NULL OR claimed_until < {2})
                ORDER BY next_attempt_at LIMIT {3}{{skipLocked}})
            RETURNING id AS "Value"
            """;
        var ids = await context.Database.SqlQueryRaw<Guid>(sql, hostId, until, now, max).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return [];
        }

        return await context.EmailOutbox.AsNoTracking().Where(m => ids.Contains(m.Id)).OrderBy(m => m.NextAttemptAt).ToListAsync(cancellationToken);
    }

    /// <summary>Keeps the composed message, so that every retry sends the same one and operators can read it.</summary>
    public async Task SaveComposedAsync(EmailOutboxRecord message, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        await context.EmailOutbox.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Recipients, message.Recipients)
            .SetProperty(m => m.Subject, message.Subject)
            .SetProperty(m => m.TextBody, message.TextBody)
            .SetProperty(m => m.HtmlBody, message.HtmlBody), cancellationToken);
    }

    /// <summary>The SMTP server accepted the message.</summary>
    public async Task MarkSentAsync(Guid id, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var context = store.CreateDbContext();
        await context.EmailOutbox.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.SentAt, now)
            .SetProperty(m => m.Attempts, m => m.Attempts + 1)
            .SetProperty(m => m.ClaimedBy, (string?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null), cancellationToken);
    }

    /// <summary>The message is not to be sent, for <paramref name="reason"/>.</summary>
    public async Task MarkSkippedAsync(Guid id, string reason, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        await context.EmailOutbox.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.SkippedReason, reason)
            .SetProperty(m => m.ClaimedBy, (string?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null), cancellationToken);
    }

    /// <summary>Delivery failed with <paramref name="error"/>; the message is tried again at <paramref name="nextAttemptAt"/>.</summary>
    public async Task MarkFailedAsync(Guid id, string error, DateTime nextAttemptAt, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var context = store.CreateDbContext();
        await context.EmailOutbox.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Attempts, m => m.Attempts + 1)
            .SetProperty(m => m.LastError, error)
            .SetProperty(m => m.LastErrorAt, now)
            .SetProperty(m => m.NextAttemptAt, nextAttemptAt)
            .SetProperty(m => m.ClaimedBy, (string?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null), cancellationToken);
    }

    /// <summary>Deletes the messages sent or skipped before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(DateTime before, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        return await context.EmailOutbox
            .Where(m => (m.SentAt != null && m.SentAt < before) || (m.SkippedReason != null && m.CreatedAt < before))
            .ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>How many messages wait to be sent (the outbox's gauge), read through the sender's partial index.</summary>
    public async Task<int> PendingCountAsync(CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        return await context.EmailOutbox.CountAsync(m => m.SentAt == null && m.SkippedReason == null, cancellationToken);
    }

    /// <summary>What operators need to see: messages waiting, the last one sent, the last delivery error.</summary>
    public async Task<EmailStatus> GetStatusAsync(bool enabled, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        var outbox = context.EmailOutbox.AsNoTracking();
        var pending = await outbox.CountAsync(m => m.SentAt == null && m.SkippedReason == null, cancellationToken);
        var lastSent = await outbox.Where(m => m.SentAt != null).MaxAsync(m => m.SentAt, cancellationToken);
        var lastError = await outbox.Where(m => m.LastErrorAt != null).OrderByDescending(m => m.LastErrorAt)
            .Select(m => new { m.LastError, m.LastErrorAt }).FirstOrDefaultAsync(cancellationToken);
        return new EmailStatus(enabled, pending, lastSent, lastError?.LastError, lastError?.LastErrorAt);
    }
}
