using System.Data.Common;

namespace Luigi.Engine.Storage;

/// <summary>
/// An attempt's row is written once, when the attempt ends: while it runs, its task's row says all there is (Running, the
/// attempt's number, when it started, the host and the worker), and the read model shows it from there. A claim writes one
/// row (the task's), an outcome two (the task's and the attempt's), where they wrote three before (the attempt inserted
/// at the claim and updated at its end, with a foreign-key check each time).
/// </summary>
internal static class AttemptSql
{
    /// <summary>
    /// Writes attempt <c>@attempt</c> of task <c>@index</c> of run <c>@run</c> as ended with <c>@outcome</c> at <c>@now</c>, from
    /// its task's row (when it started, the host, the worker). Nothing when it is written already.
    /// </summary>
    private const string CloseFromTask =
        """
        INSERT INTO attempts (run_id, task_index, number, started_at, outcome, host_id, worker, truncated_log_lines, finished_at, error)
        SELECT run_id, task_index, @attempt, coalesce(started_at, @now), @outcome, host_id, coalesce(worker, 0), @truncated, @now, @error
        FROM run_tasks WHERE run_id = @run AND task_index = @index
        ON CONFLICT DO NOTHING
        """;

    /// <summary>Writes an attempt that ended without an outcome of its task's own (<see cref="CloseFromTask"/>): given back, its
    /// lease lost, suspended for requirements found at run time.</summary>
    public static Task<int> CloseAsync(
        SqlCommands sql, DbConnection connection, DbTransaction? transaction, Guid runId, int taskIndex, int attempt, TaskState outcome, string? error,
        int truncatedLogLines, DateTime now, CancellationToken cancellationToken) =>
        sql.ExecuteAsync(connection, transaction, CloseFromTask, cancellationToken,
            ("run", runId), ("index", taskIndex), ("attempt", attempt), ("outcome", outcome.ToString()), ("error", error),
            ("truncated", truncatedLogLines), ("now", now));
}
