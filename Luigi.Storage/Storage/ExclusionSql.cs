using System.Data.Common;

namespace Luigi.Engine.Storage;

/// <summary>
/// The statements that keep a task id to one attempt at a time across runs, besides the claim (<see cref="ClaimSql"/>):
/// waking the tasks that waited for an attempt once it has ended, and marking the tasks a run shares with other runs
/// for a second look at their completeness when they are claimed.
/// </summary>
/// <remarks>
/// Why it cannot deadlock: a task waits only for a task that is <c>Running</c>, and a running attempt waits for nothing
/// (its requirements are done, it holds a worker and runs the task's code). So every chain of waits is one step long,
/// the graph of waits has no cycle, and a run waiting on another run's task never holds up that run.
/// </remarks>
internal static class ExclusionSql
{
    /// <summary>The lock under which graphs are written and marked (PostgreSQL), so that two runs written at once see each other.</summary>
    private const long GraphLock = 0x4C756967_69470001;

    /// <summary>
    /// <see cref="WakeAsync"/> on PostgreSQL for the task ids <c>@ids</c>, as part of a statement of the batch that commits
    /// outcomes (after the one that ended the attempts, so with a snapshot that sees the claims committed meanwhile).
    /// </summary>
    public static readonly string PostgresWakeUpdate =
        $"""
        UPDATE run_tasks w SET state = 'Pending', blocked_by = NULL
            WHERE w.state = 'Waiting' AND w.task_id = ANY(@ids)
              AND NOT EXISTS (SELECT 1 FROM run_tasks h WHERE h.task_id = w.task_id AND {ClaimSql.StillRunning("h")})
        """;

    /// <summary>
    /// Makes ready again (Pending) the tasks that wait for an attempt no longer running: of the task ids
    /// <paramref name="taskIds"/> (after outcomes were committed), or of any id when null (a sweep after leases expired
    /// or a host gave tasks back). Run as its own statement after the one that ended the attempts, so it sees what claims
    /// committed meanwhile. Returns how many were woken.
    /// </summary>
    public static async Task<int> WakeAsync(
        SqlCommands sql, DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<string>? taskIds, CancellationToken cancellationToken) =>
        await sql.ExecuteAsync(connection, transaction,
            $"""
            UPDATE run_tasks SET state = 'Pending', blocked_by = NULL
            WHERE state = 'Waiting'{(taskIds is null ? "" : sql.IsPostgres ? " AND task_id = ANY(@ids)" : " AND task_id IN (SELECT value FROM json_each(@ids))")}
              AND NOT EXISTS (SELECT 1 FROM run_tasks h WHERE h.task_id = run_tasks.task_id AND h.state = 'Running')
            """,
            cancellationToken,
            ("ids", taskIds is null ? null : sql.IsPostgres ? taskIds.ToArray() : System.Text.Json.JsonSerializer.Serialize(taskIds))).ConfigureAwait(false);

    /// <summary>
    /// Marks for a second look (<c>recheck</c>) the waiting tasks of run <paramref name="runId"/>, just written, that another run
    /// has unfinished or has done since this run was taken; and the unfinished tasks of other running runs that this run
    /// has too. Whichever runs the task first may make it for the other, which then finds it complete when claimed.
    /// Tasks a re-run forces are never marked. Skipped when no other run is running or has ended since.
    /// </summary>
    public static async Task MarkSharedAsync(SqlCommands sql, DbConnection connection, DbTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        if (sql.IsPostgres)
        {
            await sql.ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({GraphLock})", cancellationToken).ConfigureAwait(false);
        }

        var others = await sql.QueryAsync(connection, transaction,
            """
            SELECT 1 FROM runs o, runs r
            WHERE r.id = @run AND o.id <> @run AND (o.state IN ('Running', 'Cancelling') OR o.finished_at >= r.started_at)
            LIMIT 1
            """,
            r => r.GetInt32(0), cancellationToken, ("run", runId)).ConfigureAwait(false);
        if (others.Count == 0)
        {
            return;
        }

        await sql.ExecuteAsync(connection, transaction,
            """
            UPDATE run_tasks SET recheck = TRUE
            WHERE run_id = @run AND NOT forced AND state IN ('Pending', 'RetryWaiting')
              AND EXISTS (SELECT 1 FROM run_tasks o WHERE o.task_id = run_tasks.task_id AND o.run_id <> @run
                  AND (o.state IN ('Pending', 'Running', 'RetryWaiting', 'Waiting')
                       OR (o.state = 'Done' AND o.finished_at >= (SELECT started_at FROM runs WHERE id = @run))))
            """,
            cancellationToken, ("run", runId)).ConfigureAwait(false);
        await sql.ExecuteAsync(connection, transaction,
            """
            UPDATE run_tasks SET recheck = TRUE
            WHERE run_id IN (SELECT id FROM runs WHERE id <> @run AND state IN ('Running', 'Cancelling'))
              AND NOT forced AND NOT recheck AND state IN ('Pending', 'Running', 'RetryWaiting')
              AND EXISTS (SELECT 1 FROM run_tasks t WHERE t.task_id = run_tasks.task_id AND t.run_id = @run AND t.state IN ('Pending', 'RetryWaiting'))
            """,
            cancellationToken, ("run", runId)).ConfigureAwait(false);
    }
}
