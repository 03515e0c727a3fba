using System.Data.Common;
using Luigi.Engine.Execution;

namespace Luigi.Engine.Storage;

/// <summary>
/// The two statements that bring a run to its end, run inside the caller's transaction by every path
/// that can leave a run with nothing left to do: writing its graph, committing an outcome on SQLite, and
/// cancelling it. Kept in one place so that these paths agree on when, and in which state, a run ends.
/// </summary>
internal static class RunEndSql
{
    /// <summary>When the run is <see cref="RunState.Cancelling"/>, cancels its tasks that wait (Pending,
    /// RetryWaiting or Waiting) and counts them as finished; does nothing otherwise. Returns the tasks it cancelled, with the attempts each had made.</summary>
    public static async Task<List<(int Index, string TaskId, int Attempts)>> CancelWaitingTasksIfCancellingAsync(
        SqlCommands sql, DbConnection connection, DbTransaction transaction, Guid runId, DateTime now, CancellationToken cancellationToken)
    {
        var cancelled = await sql.QueryAsync(connection, transaction,
            """
            UPDATE run_tasks SET state = 'Cancelled', finished_at = @now, not_before = NULL, blocked_by = NULL
            WHERE run_id = @run AND state IN ('Pending', 'RetryWaiting', 'Waiting')
              AND EXISTS (SELECT 1 FROM runs WHERE id = @run AND state = 'Cancelling')
            RETURNING task_index, task_id, attempt_count
            """,
            r => (r.GetInt32(0), r.GetString(1), r.GetInt32(2)), cancellationToken, ("run", runId), ("now", now)).ConfigureAwait(false);
        if (cancelled.Count > 0)
        {
            await sql.ExecuteAsync(connection, transaction,
                "UPDATE runs SET unfinished_count = unfinished_count - @n WHERE id = @run",
                cancellationToken, ("n", cancelled.Count), ("run", runId)).ConfigureAwait(false);
        }

        return cancelled;
    }

    /// <summary>
    /// Ends the run when its graph is written and no task is left unfinished: Succeeded when every root is done or
    /// complete. A run cancelled while it was being resolved has no tasks yet: it ends when its graph is written
    /// (its waiting tasks cancelled), or when its resolving host is found dead.
    /// </summary>
    public static async Task<RunStateChange?> FinishIfDoneAsync(
        SqlCommands sql, DbConnection connection, DbTransaction transaction, Guid runId, DateTime now, CancellationToken cancellationToken)
    {
        await using var commands = new CommandCache(sql, connection, transaction);
        return await FinishIfDoneAsync(commands, runId, now, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="FinishIfDoneAsync(SqlCommands, DbConnection, DbTransaction, Guid, DateTime, CancellationToken)"/>
    public static async Task<RunStateChange?> FinishIfDoneAsync(CommandCache commands, Guid runId, DateTime now, CancellationToken cancellationToken)
    {
        var final = await commands.QueryAsync(
            """
            UPDATE runs SET finished_at = @now, state = CASE
                    WHEN NOT EXISTS (SELECT 1 FROM run_tasks t WHERE t.run_id = @run AND t.is_root = @true AND t.state NOT IN ('Done', 'Complete')) THEN 'Succeeded'
                    WHEN state = 'Cancelling' THEN 'Cancelled'
                    ELSE 'Failed' END
            WHERE id = @run AND unfinished_count = 0 AND task_count > 0 AND state IN ('Running', 'Cancelling')
            RETURNING state, pipeline
            """,
            r => new RunStateChange(runId, r.GetString(1), Enum.Parse<RunState>(r.GetString(0))), cancellationToken, ("run", runId), ("now", now),
            ("true", true)).ConfigureAwait(false);
        return final.Count == 0 ? null : final[0];
    }
}
