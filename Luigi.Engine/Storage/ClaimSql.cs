using System.Data.Common;
using Npgsql;
using Luigi.Engine.Execution;

namespace Luigi.Engine.Storage;

/// <summary>
/// Claims up to one ready task per idle worker in one transaction: the best ready tasks are marked
/// Running with a lease for this host, and an attempt is opened for each. On PostgreSQL this is one
/// statement (rows locked with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent hosts skip each other's picks
/// instead of waiting); on SQLite, which has one writer at a time, a few prepared statements in one
/// immediate transaction. Either may also run at the end of the transaction that commits outcomes.
/// </summary>
internal static class ClaimSql
{
    private const string Ready =
        "state IN ('Pending', 'RetryWaiting') AND remaining_requirements = 0 AND (not_before IS NULL OR not_before <= @now)";

    private const string BestFirst = "priority DESC, critical_path DESC, task_index";

    public static async Task<List<ClaimedTask>> ClaimAsync(
        SqlCommands sql, string hostId, IReadOnlyList<int> workers, DateTime now, DateTime leaseUntil, Guid? onlyRun, CancellationToken cancellationToken)
    {
        if (sql.IsPostgres)
        {
            return await ClaimOnPostgresAsync(sql, hostId, workers, now, leaseUntil, onlyRun, cancellationToken).ConfigureAwait(false);
        }

        await using var connection = await sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var claimed = await ClaimOnSqliteAsync(sql, connection, transaction, hostId, workers, now, leaseUntil, onlyRun, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return claimed;
    }

    private static async Task<List<ClaimedTask>> ClaimOnPostgresAsync(
        SqlCommands sql, string hostId, IReadOnlyList<int> workers, DateTime now, DateTime leaseUntil, Guid? onlyRun, CancellationToken cancellationToken)
    {
        // Without an explicit transaction the statement commits on its own: one round trip per claim, however many tasks it takes.
        await using var connection = (NpgsqlConnection)await sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { PostgresStatement(hostId, workers, now, leaseUntil, onlyRun) } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadAsync(reader, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The claim as one PostgreSQL statement, to run alone or at the end of a batch (see <see cref="CompletionSql"/>).
    /// The n-th best pick goes to the n-th worker of <paramref name="workers"/>.</summary>
    public static NpgsqlBatchCommand PostgresStatement(string hostId, IReadOnlyList<int> workers, DateTime now, DateTime leaseUntil, Guid? onlyRun) =>
        SqlCommands.BatchCommand(
            $"""
            WITH picked AS (
                SELECT run_id, task_index, priority, critical_path FROM run_tasks
                WHERE {Ready}{(onlyRun is null ? "" : " AND run_id = @only")}
                ORDER BY {BestFirst}
                LIMIT @limit
                FOR UPDATE SKIP LOCKED),
            ranked AS (
                SELECT run_id, task_index, row_number() OVER (ORDER BY {BestFirst}) AS n FROM picked),
            claimed AS (
                UPDATE run_tasks t SET state = 'Running', attempt_count = t.attempt_count + 1, host_id = @host, worker = (@workers::integer[])[r.n],
                    lease_expires_at = @lease, started_at = @now, not_before = NULL
                FROM ranked r
                WHERE t.run_id = r.run_id AND t.task_index = r.task_index
                RETURNING t.run_id, t.task_index, t.task_id, t.attempt_count, t.worker, r.n),
            opened AS (
                INSERT INTO attempts (run_id, task_index, number, started_at, outcome, host_id, worker, truncated_log_lines)
                SELECT run_id, task_index, attempt_count, @now, 'Running', @host, worker, 0 FROM claimed)
            SELECT run_id, task_index, task_id, attempt_count, worker FROM claimed ORDER BY n
            """,
            ("host", hostId), ("workers", workers.ToArray()), ("limit", workers.Count), ("lease", leaseUntil), ("now", now), ("only", onlyRun));

    /// <summary>Reads the rows of <see cref="PostgresStatement"/>.</summary>
    public static async Task<List<ClaimedTask>> ReadAsync(DbDataReader reader, DateTime now, CancellationToken cancellationToken)
    {
        var claimed = new List<ClaimedTask>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(new ClaimedTask(reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4), now));
        }

        return claimed;
    }

    /// <summary>The claim on SQLite, inside the caller's transaction.</summary>
    public static async Task<List<ClaimedTask>> ClaimOnSqliteAsync(
        SqlCommands sql, DbConnection connection, DbTransaction transaction, string hostId, IReadOnlyList<int> workers, DateTime now, DateTime leaseUntil,
        Guid? onlyRun, CancellationToken cancellationToken)
    {
        var picked = await sql.QueryAsync(connection, transaction,
            $"""
            SELECT run_id, task_index FROM run_tasks
            WHERE {Ready}{(onlyRun is null ? "" : " AND run_id = @only")}
            ORDER BY {BestFirst}
            LIMIT @limit
            """,
            r => (RunId: SqlCommands.ReadGuid(r, 0), TaskIndex: r.GetInt32(1)), cancellationToken,
            ("now", now), ("limit", workers.Count), ("only", onlyRun)).ConfigureAwait(false);
        if (picked.Count == 0)
        {
            return [];
        }

        await using var claim = sql.Command(connection, transaction,
            """
            UPDATE run_tasks SET state = 'Running', attempt_count = attempt_count + 1, host_id = @host, worker = @worker,
                lease_expires_at = @lease, started_at = @now, not_before = NULL
            WHERE run_id = @run AND task_index = @index
            RETURNING task_id, attempt_count
            """,
            ("host", hostId), ("worker", 0), ("lease", leaseUntil), ("now", now), ("run", Guid.Empty), ("index", 0));
        await using var open = sql.Command(connection, transaction,
            """
            INSERT INTO attempts (run_id, task_index, number, started_at, outcome, host_id, worker, truncated_log_lines)
            VALUES (@run, @index, @number, @now, 'Running', @host, @worker, 0)
            """,
            ("run", Guid.Empty), ("index", 0), ("number", 0), ("now", now), ("host", hostId), ("worker", 0));
        var claimed = new List<ClaimedTask>(picked.Count);
        foreach (var (runId, taskIndex) in picked)
        {
            var worker = workers[claimed.Count];
            sql.Bind(claim, ("worker", worker), ("run", runId), ("index", taskIndex));
            string taskId;
            int attempt;
            await using (var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (taskId, attempt) = (reader.GetString(0), reader.GetInt32(1));
            }

            sql.Bind(open, ("run", runId), ("index", taskIndex), ("number", attempt), ("worker", worker));
            await open.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            claimed.Add(new ClaimedTask(runId, taskIndex, taskId, attempt, worker, now));
        }

        return claimed;
    }
}
