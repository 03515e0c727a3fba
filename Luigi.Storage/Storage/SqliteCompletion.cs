using System.Data.Common;
using Luigi.Engine.Graph;
using Luigi.Engine.Execution;

namespace Luigi.Engine.Storage;

/// <summary>
/// Commits a group of outcomes on SQLite: the counterpart of <see cref="CompletionSql"/>, which does it on
/// PostgreSQL in one set-based round trip. SQLite has one writer at a time, so each outcome is written by a
/// few plain statements in one transaction: guarded (only while the task is still Running under this host
/// with the same attempt), its attempt closed and log lines inserted, its dependents released or blocked,
/// its run's unfinished count lowered and the run ended when nothing is left to do. With a claim request,
/// the same transaction then claims ready tasks for idle workers.
/// </summary>
internal static class SqliteCompletion
{
    /// <summary>
    /// Commits <paramref name="completions"/> in one transaction; the result at position i is null when outcome
    /// i was refused (lease lost). With <paramref name="claim"/>, ready tasks are claimed for idle workers before
    /// the commit (see <see cref="ClaimSql.ClaimOnSqliteAsync"/>).
    /// </summary>
    public static async Task<(CompletionResult?[] Results, List<ClaimedTask> Claimed)> CompleteAsync(
        SqlCommands sql, TimeProvider time, string hostId, IReadOnlyList<TaskCompletion> completions, ClaimRequest? claim,
        CancellationToken cancellationToken)
    {
        await using var connection = await sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var results = new CompletionResult?[completions.Count];
        await using (var commands = new CommandCache(sql, connection, transaction))
        {
            for (var i = 0; i < completions.Count; i++)
            {
                results[i] = await CompleteOneAsync(commands, time, hostId, completions[i], cancellationToken).ConfigureAwait(false);
            }
        }

        var now = Now(time);
        var woken = await ExclusionSql.WakeAsync(sql, connection, transaction, completions.Select(c => c.TaskId).Distinct().ToList(), cancellationToken)
            .ConfigureAwait(false);
        var first = Array.FindIndex(results, r => r is not null);
        if (woken > 0 && first >= 0)
        {
            results[first] = results[first]! with { Released = results[first]!.Released + woken }; // other runs' tasks that waited: ready too
        }

        var claimed = claim is null
            ? []
            : await ClaimSql.ClaimOnSqliteAsync(sql, connection, transaction, hostId, claim.Workers, now, now + claim.Lease, claim.OnlyRun, cancellationToken)
                .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (results, claimed);
    }

    private static async Task<CompletionResult?> CompleteOneAsync(
        CommandCache commands, TimeProvider time, string hostId, TaskCompletion completion, CancellationToken cancellationToken)
    {
        var now = Now(time);
        var ended = completion.FinishedAt ?? now;
        var state = completion.State;
        var terminal = state.IsTerminal();
        var updated = await commands.QueryAsync(
            """
            UPDATE run_tasks SET state = CASE WHEN @state = 'Pending' AND attempt_count > 1 THEN 'RetryWaiting' ELSE @state END,
                finished_at = @finished, not_before = @notBefore, lease_expires_at = NULL,
                error_summary = @summary, error = CASE WHEN @state = 'Failed' THEN @error ELSE error END, blocked_by = @blockedBy,
                attempt_count = CASE WHEN @state IN ('Complete', 'Pending') THEN attempt_count - 1 ELSE attempt_count END,
                worker = coalesce(@worker, worker), started_at = coalesce(@started, started_at)
            WHERE run_id = @run AND task_index = @index AND state = 'Running' AND host_id = @host AND attempt_count = @attempt
            RETURNING started_at, worker
            """,
            r => (StartedAt: SqlCommands.ReadUtc(r, 0), Worker: r.GetInt32(1)), cancellationToken, ("state", state.ToString()), ("worker", completion.RanBy?.Worker), ("started", completion.RanBy?.StartedAt), ("finished", terminal && state != TaskState.Complete ? ended : null), ("notBefore", completion.RetryAt),
            ("summary", completion.Error is null ? null : TaskNode.FirstLine(completion.Error)), ("error", completion.Error), ("blockedBy", completion.BlockedBy),
            ("run", completion.RunId), ("index", completion.TaskIndex), ("host", hostId), ("attempt", completion.Attempt)).ConfigureAwait(false);
        if (updated.Count == 0)
        {
            return null;
        }

        if (state is not (TaskState.Complete or TaskState.Pending)) // found complete when claimed, or given back: it never ran
        {
            await commands.ExecuteAsync(
                """
                INSERT INTO attempts (run_id, task_index, number, started_at, outcome, host_id, worker, truncated_log_lines, finished_at, error)
                VALUES (@run, @index, @attempt, @started, @outcome, @host, @worker, @truncated, @ended, @error)
                """,
                cancellationToken, ("worker", updated[0].Worker), ("started", updated[0].StartedAt), ("host", hostId),
                ("outcome", (state == TaskState.RetryWaiting ? TaskState.Failed : state).ToString()), ("ended", ended),
                ("error", completion.Error), ("truncated", completion.TruncatedLogLines), ("run", completion.RunId), ("index", completion.TaskIndex),
                ("attempt", completion.Attempt)).ConfigureAwait(false);
        }

        await WriteLogAsync(commands, completion, cancellationToken).ConfigureAwait(false);

        var released = 0;
        var blocked = new List<(int Index, string TaskId)>();
        if (state is TaskState.Done or TaskState.Complete)
        {
            var remaining = await commands.QueryAsync(
                """
                UPDATE run_tasks SET remaining_requirements = remaining_requirements - 1
                WHERE run_id = @run AND task_index IN (SELECT dependent_index FROM run_edges WHERE run_id = @run AND requirement_index = @index)
                RETURNING remaining_requirements, state
                """,
                r => (Remaining: r.GetInt32(0), State: r.GetString(1)), cancellationToken, ("run", completion.RunId), ("index", completion.TaskIndex))
                .ConfigureAwait(false);
            released = remaining.Count(r => r.Remaining == 0 && r.State == nameof(TaskState.Pending));
        }
        else if (state == TaskState.Failed)
        {
            blocked = await BlockDownstreamAsync(commands, time, completion.RunId, completion.TaskIndex, completion.TaskId, cancellationToken).ConfigureAwait(false);
        }

        var finished = (RunStateChange?)null;
        var delta = (terminal ? 1 : 0) + blocked.Count;
        if (delta > 0)
        {
            await commands.ExecuteAsync(
                "UPDATE runs SET unfinished_count = unfinished_count - @delta WHERE id = @run",
                cancellationToken, ("delta", delta), ("run", completion.RunId)).ConfigureAwait(false);
            finished = await RunEndSql.FinishIfDoneAsync(commands, completion.RunId, Now(time), cancellationToken).ConfigureAwait(false);
        }

        return new CompletionResult(released, blocked, finished?.State, finished?.Pipeline);
    }

    private static async Task<List<(int Index, string TaskId)>> BlockDownstreamAsync(
        CommandCache commands, TimeProvider time, Guid runId, int taskIndex, string taskId, CancellationToken cancellationToken) =>
        await commands.QueryAsync(
            """
            WITH RECURSIVE downstream(task_index) AS (
                SELECT dependent_index FROM run_edges WHERE run_id = @run AND requirement_index = @index
                UNION
                SELECT e.dependent_index FROM run_edges e JOIN downstream d ON e.requirement_index = d.task_index WHERE e.run_id = @run)
            UPDATE run_tasks SET state = 'UpstreamFailed', blocked_by = @blocked, finished_at = @now
            WHERE run_id = @run AND state = 'Pending' AND task_index IN (SELECT task_index FROM downstream)
            RETURNING task_index, task_id
            """,
            r => (r.GetInt32(0), r.GetString(1)), cancellationToken, ("run", runId), ("index", taskIndex), ("blocked", taskId), ("now", Now(time)))
            .ConfigureAwait(false);

    /// <summary>Inserts the lines an attempt logged, one statement per line (SQLite's commit; any store's suspension).</summary>
    internal static async Task WriteLogAsync(
        SqlCommands sql, DbConnection connection, DbTransaction transaction, TaskCompletion completion, CancellationToken cancellationToken)
    {
        await using var commands = new CommandCache(sql, connection, transaction);
        await WriteLogAsync(commands, completion, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="WriteLogAsync(SqlCommands, DbConnection, DbTransaction, TaskCompletion, CancellationToken)"/>
    private static async Task WriteLogAsync(CommandCache commands, TaskCompletion completion, CancellationToken cancellationToken)
    {
        var sequence = 0;
        foreach (var line in completion.Log)
        {
            await commands.ExecuteAsync(
                """
                INSERT INTO attempt_log_lines (run_id, task_index, attempt, sequence, at, level, message)
                VALUES (@run, @index, @attempt, @sequence, @at, @level, @message)
                """,
                cancellationToken, ("run", completion.RunId), ("index", completion.TaskIndex), ("attempt", completion.Attempt), ("sequence", sequence++),
                ("at", line.At.UtcDateTime), ("level", line.Level.ToString()), ("message", line.Message)).ConfigureAwait(false);
        }
    }

    private static DateTime Now(TimeProvider time) => time.GetUtcNow().UtcDateTime;
}
