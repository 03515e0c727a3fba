using System.Data.Common;
using Npgsql;
using Luigi.Engine.Execution;

namespace Luigi.Engine.Storage;

/// <summary>
/// Claims up to one ready task per idle worker in one transaction: the best ready tasks are marked
/// Running with a lease for this host (the attempt's row is written when it ends: <see cref="AttemptSql"/>). On PostgreSQL this is one
/// statement (rows locked with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent hosts skip each other's picks
/// instead of waiting); on SQLite, which has one writer at a time, a few prepared statements in one
/// immediate transaction. Either may also run at the end of the transaction that commits outcomes.
/// </summary>
/// <remarks>
/// A task id runs in one attempt at a time across every run and host: a picked task whose id another run is running
/// (or that a better pick of the same claim takes) is not claimed but marked <c>Waiting</c>, naming that run, and
/// looked at again when woken (<see cref="ExclusionSql"/>). The unique index <c>ux_run_tasks_running_task</c> makes
/// the database refuse a second running row with one task id, so two hosts racing for one id cannot both win: the
/// loser's transaction fails and is tried again, and then sees the winner. On PostgreSQL the claim takes a share lock
/// on the running row it waits for, so that the attempt cannot end unseen between this claim's snapshot and its commit
/// (see docs/decisions.md). Tasks that need resources are not claimed here but by <see cref="ResourceClaimSql"/>.
/// </remarks>
internal static class ClaimSql
{
    private const string Ready =
        "state IN ('Pending', 'RetryWaiting') AND is_ready AND (not_before IS NULL OR not_before <= @now)";

    private const string BestFirst = "priority DESC, critical_path DESC, task_index";

    /// <summary>
    /// "The task of row <paramref name="alias"/> is Running", written so that PostgreSQL's planner cannot match it with the
    /// partial indexes of running tasks, for statements that look up given tasks (by key or by task id). Planned with the
    /// statistics of a graph just written (no task running), reading the whole of such an index and filtering looks
    /// cheaper than a lookup per task; but the index also holds an entry for every attempt that has ended until a scan or
    /// vacuum clears it, and in one 100,000-task run in three measured (docs/benchmarks.md) each commit and each claim
    /// then read about 20,000 of them, which doubled the run's time. Written so, the lookups go by key.
    /// </summary>
    public static string StillRunning(string alias) => $"CASE {alias}.state WHEN 'Running' THEN true ELSE false END";

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
    /// The n-th best pick goes to the n-th worker of <paramref name="workers"/>. The limit is written into the text, not bound:
    /// a generic plan takes a bound limit for a tenth of the rows, and when the statistics say that many tasks are ready
    /// (a wide graph just written and analyzed) it then reads every ready task and sorts them at each claim; with the limit
    /// known, the ready tasks' index, in claim order, is read for just those rows. One prepared statement per worker count.</summary>
    public static NpgsqlBatchCommand PostgresStatement(string hostId, IReadOnlyList<int> workers, DateTime now, DateTime leaseUntil, Guid? onlyRun) =>
        SqlCommands.BatchCommand(
            $"""
            WITH picked AS (
                SELECT run_id, task_index, task_id, priority, critical_path FROM run_tasks
                WHERE {Ready} AND resources IS NULL{(onlyRun is null ? "" : " AND run_id = @only")}
                ORDER BY {BestFirst}
                LIMIT {workers.Count}
                FOR UPDATE SKIP LOCKED),
            {PostgresClaimTail}
            """,
            ("host", hostId), ("workers", workers.ToArray()), ("lease", leaseUntil), ("now", now), ("only", onlyRun));

    /// <summary>
    /// What follows the pick (a CTE <c>picked</c> of locked ready rows with their task id, priority and critical path) in
    /// every PostgreSQL claim: the exclusion by task id, the claim itself, and the rows to read.
    /// </summary>
    public static readonly string PostgresClaimTail =
        $"""
        ranked AS (
            SELECT p.*, row_number() OVER (PARTITION BY p.task_id ORDER BY {BestFirst}) AS k FROM picked p),
        holders AS (
            SELECT h.run_id, h.task_id FROM run_tasks h
            WHERE h.task_id IN (SELECT task_id FROM picked) AND {StillRunning("h")}
            FOR SHARE),
        waits AS (
            SELECT r.run_id, r.task_index, coalesce(h.run_id, f.run_id) AS holder
            FROM ranked r LEFT JOIN holders h ON h.task_id = r.task_id
            LEFT JOIN ranked f ON r.k > 1 AND f.task_id = r.task_id AND f.k = 1
            WHERE h.run_id IS NOT NULL OR r.k > 1),
        waiting AS (
            UPDATE run_tasks t SET state = 'Waiting', blocked_by = w.holder::text, recheck = NOT t.forced
            FROM waits w
            WHERE t.run_id = w.run_id AND t.task_index = w.task_index
            RETURNING t.run_id, t.task_index, t.task_id, t.attempt_count, w.holder),
        chosen AS (
            SELECT r.run_id, r.task_index, row_number() OVER (ORDER BY {BestFirst}) AS n FROM ranked r
            WHERE NOT EXISTS (SELECT 1 FROM waits w WHERE w.run_id = r.run_id AND w.task_index = r.task_index)),
        claimed AS (
            UPDATE run_tasks t SET state = 'Running', attempt_count = t.attempt_count + 1, host_id = @host, worker = (@workers::integer[])[c.n],
                lease_expires_at = @lease, started_at = @now, not_before = NULL
            FROM chosen c
            WHERE t.run_id = c.run_id AND t.task_index = c.task_index
            RETURNING t.run_id, t.task_index, t.task_id, t.attempt_count, t.worker, t.recheck, c.n)
        SELECT run_id, task_index, task_id, attempt_count, worker, recheck, NULL::uuid AS waits_for, n FROM claimed
        UNION ALL
        SELECT run_id, task_index, task_id, attempt_count, 0, false, holder, NULL FROM waiting
        ORDER BY n NULLS LAST
        """;

    /// <summary>Reads the rows of <see cref="PostgresStatement"/>.</summary>
    public static async Task<List<ClaimedTask>> ReadAsync(DbDataReader reader, DateTime now, CancellationToken cancellationToken)
    {
        var claimed = new List<ClaimedTask>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(new ClaimedTask(reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4), now,
                reader.GetBoolean(5), reader.IsDBNull(6) ? null : reader.GetGuid(6)));
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
            SELECT run_id, task_index, task_id FROM run_tasks
            WHERE {Ready} AND resources IS NULL{(onlyRun is null ? "" : " AND run_id = @only")}
            ORDER BY {BestFirst}
            LIMIT @limit
            """,
            r => (RunId: SqlCommands.ReadGuid(r, 0), TaskIndex: r.GetInt32(1), TaskId: r.GetString(2)), cancellationToken,
            ("now", now), ("limit", workers.Count), ("only", onlyRun)).ConfigureAwait(false);
        return await ClaimPickedOnSqliteAsync(sql, connection, transaction, hostId, workers, picked, now, leaseUntil, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims <paramref name="picked"/> (ready rows, best first) on SQLite for <paramref name="workers"/>, in order: a task
    /// whose id another run is running, or that an earlier pick took, is marked Waiting instead.
    /// </summary>
    public static async Task<List<ClaimedTask>> ClaimPickedOnSqliteAsync(
        SqlCommands sql, DbConnection connection, DbTransaction transaction, string hostId, IReadOnlyList<int> workers,
        IReadOnlyList<(Guid RunId, int TaskIndex, string TaskId)> picked, DateTime now, DateTime leaseUntil, CancellationToken cancellationToken)
    {
        if (picked.Count == 0)
        {
            return [];
        }

        await using var holder = sql.Command(connection, transaction,
            "SELECT run_id FROM run_tasks WHERE task_id = @taskId AND state = 'Running'", ("taskId", ""));
        await using var wait = sql.Command(connection, transaction,
            """
            UPDATE run_tasks SET state = 'Waiting', blocked_by = @holder, recheck = NOT forced
            WHERE run_id = @run AND task_index = @index
            RETURNING attempt_count
            """,
            ("holder", ""), ("run", Guid.Empty), ("index", 0));
        await using var claim = sql.Command(connection, transaction,
            """
            UPDATE run_tasks SET state = 'Running', attempt_count = attempt_count + 1, host_id = @host, worker = @worker,
                lease_expires_at = @lease, started_at = @now, not_before = NULL
            WHERE run_id = @run AND task_index = @index
            RETURNING task_id, attempt_count, recheck
            """,
            ("host", hostId), ("worker", 0), ("lease", leaseUntil), ("now", now), ("run", Guid.Empty), ("index", 0));
        var claimed = new List<ClaimedTask>(picked.Count);
        var taken = 0;
        foreach (var (runId, taskIndex, pickedId) in picked)
        {
            sql.Bind(holder, ("taskId", pickedId));
            var held = await holder.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (held is not null and not DBNull)
            {
                var holderRun = held is Guid guid ? guid : Guid.Parse((string)held);
                sql.Bind(wait, ("holder", holderRun.ToString()), ("run", runId), ("index", taskIndex));
                var made = Convert.ToInt32(await wait.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                claimed.Add(new ClaimedTask(runId, taskIndex, pickedId, made, 0, now, WaitsFor: holderRun));
                continue;
            }

            var worker = workers[taken++];
            sql.Bind(claim, ("worker", worker), ("run", runId), ("index", taskIndex));
            string taskId;
            int attempt;
            bool recheck;
            await using (var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (taskId, attempt, recheck) = (reader.GetString(0), reader.GetInt32(1), reader.GetBoolean(2));
            }

            claimed.Add(new ClaimedTask(runId, taskIndex, taskId, attempt, worker, now, recheck));
        }

        return claimed;
    }
}
