using System.Data.Common;
using System.Text.Json;
using Luigi.Engine.Execution;
using Npgsql;

namespace Luigi.Engine.Storage;

/// <summary>
/// Claims ready tasks that need resources (<see cref="LuigiTask.Resources"/>), apart from the hot path's claim, which
/// leaves them out: one host at a time (a transaction-level advisory lock on PostgreSQL; SQLite has one writer), it adds
/// up what the running tasks of every host hold, then claims the best ready tasks that fit in what is left of each total.
/// Outcomes give resources back without the lock: they only lower the use, so a claim that reads an attempt as still
/// running stays on the safe side. The use is read from the running rows themselves, so nothing has to be given back
/// when a host dies: its tasks stop holding when their leases expire.
/// </summary>
internal static class ResourceClaimSql
{
    private const long ResourceLock = 0x4C756967_69520001;

    /// <summary>Candidates read per claim: ready tasks that need resources, best first.</summary>
    private const int Candidates = 256;

    /// <summary>Claims, for <paramref name="workers"/>, the best ready tasks whose resources fit in <paramref name="totals"/> now.</summary>
    public static async Task<List<ClaimedTask>> ClaimAsync(
        SqlCommands sql, IReadOnlyDictionary<string, int> totals, string hostId, IReadOnlyList<int> workers, DateTime now, DateTime leaseUntil, Guid? onlyRun,
        CancellationToken cancellationToken)
    {
        await using var connection = await sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (sql.IsPostgres)
        {
            await sql.ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({ResourceLock})", cancellationToken).ConfigureAwait(false);
        }

        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var held in await sql.QueryAsync(connection, transaction,
                     "SELECT resources FROM run_tasks WHERE state = 'Running' AND resources IS NOT NULL", r => r.GetString(0), cancellationToken)
                     .ConfigureAwait(false))
        {
            foreach (var (name, amount) in Parse(held))
            {
                used[name] = used.GetValueOrDefault(name) + amount;
            }
        }

        var candidates = await sql.QueryAsync(connection, transaction,
            $"""
            SELECT run_id, task_index, task_id, resources FROM run_tasks
            WHERE state IN ('Pending', 'RetryWaiting') AND is_ready AND (not_before IS NULL OR not_before <= @now)
              AND resources IS NOT NULL{(onlyRun is null ? "" : " AND run_id = @only")}
            ORDER BY priority DESC, critical_path DESC, task_index
            LIMIT {Candidates}{sql.SkipLocked}
            """,
            r => (RunId: SqlCommands.ReadGuid(r, 0), TaskIndex: r.GetInt32(1), TaskId: r.GetString(2), Needs: Parse(r.GetString(3))), cancellationToken,
            ("now", now), ("only", onlyRun)).ConfigureAwait(false);
        var chosen = new List<(Guid RunId, int TaskIndex, string TaskId)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            if (chosen.Count == workers.Count)
            {
                break;
            }

            if (ids.Contains(candidate.TaskId) || !candidate.Needs.All(n => used.GetValueOrDefault(n.Key) + n.Value <= totals.GetValueOrDefault(n.Key)))
            {
                continue; // the same id is claimed already (the claim marks it waiting), or it waits for its resources
            }

            foreach (var (name, amount) in candidate.Needs)
            {
                used[name] = used.GetValueOrDefault(name) + amount;
            }

            ids.Add(candidate.TaskId);
            chosen.Add((candidate.RunId, candidate.TaskIndex, candidate.TaskId));
        }

        var claimed = chosen.Count == 0 ? []
            : sql.IsPostgres ? await ClaimOnPostgresAsync((NpgsqlConnection)connection, (NpgsqlTransaction)transaction, hostId, workers, chosen, now, leaseUntil, cancellationToken)
                .ConfigureAwait(false)
            : await ClaimSql.ClaimPickedOnSqliteAsync(sql, connection, transaction, hostId, workers, chosen, now, leaseUntil, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return claimed;
    }

    private static async Task<List<ClaimedTask>> ClaimOnPostgresAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string hostId, IReadOnlyList<int> workers,
        List<(Guid RunId, int TaskIndex, string TaskId)> chosen, DateTime now, DateTime leaseUntil, CancellationToken cancellationToken)
    {
        var statement = SqlCommands.BatchCommand(
            $"""
            WITH picked AS (
                SELECT t.run_id, t.task_index, t.task_id, t.priority, t.critical_path FROM run_tasks t
                JOIN unnest(@runs::uuid[], @indexes::integer[]) AS c(run_id, task_index) ON t.run_id = c.run_id AND t.task_index = c.task_index
                FOR UPDATE OF t),
            {ClaimSql.PostgresClaimTail}
            """,
            ("host", hostId), ("workers", workers.ToArray()), ("lease", leaseUntil), ("now", now),
            ("runs", chosen.Select(c => c.RunId).ToArray()), ("indexes", chosen.Select(c => c.TaskIndex).ToArray()));
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { statement } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ClaimSql.ReadAsync(reader, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A task's needs as stored (a JSON object of name to amount).</summary>
    public static Dictionary<string, int> Parse(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, int>>(json) ?? [];
}
