using System.Data.Common;
using System.Text.Json;
using Luigi.Engine.Execution;
using Luigi.Engine.Graph;

namespace Luigi.Engine.Storage;

/// <summary>
/// Suspends a task for the tasks it required at run time, on SQLite and PostgreSQL alike, in one transaction: the requester
/// is guarded (still Running under this host with the same attempt) and its run row locked, so that two suspensions in one
/// run number their new tasks one after the other; what is downstream of the requester and the requested task ids are read
/// to merge by task id and to refuse a cycle (<see cref="GraphExtension"/>); the new tasks and edges are inserted; the
/// requester goes back to Pending (or UpstreamFailed with its downstream, when a requested task had failed already), its
/// attempt ended Pending (suspended) with the lines it logged, so that the next attempt resumes it; the run's counts follow,
/// and the tasks of other runs that waited for the requester's task id are woken. It reads no more of the run than that (the
/// requested ids through the unique index on task ids) and is not on the claim or commit path.
/// </summary>
internal static class DynamicRequirementSql
{
    public static async Task<SuspendResult?> SuspendAsync(
        SqlCommands sql, TimeProvider time, string hostId, ClaimedTask requester, TaskGraph requested, IReadOnlyList<LogLine> log, int truncatedLogLines,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        (string, object?)[] key = [("run", requester.RunId), ("index", requester.TaskIndex), ("host", hostId), ("attempt", requester.Attempt)];
        var held = await sql.ExecuteAsync(connection, transaction,
            "UPDATE run_tasks SET host_id = host_id WHERE run_id = @run AND task_index = @index AND state = 'Running' AND host_id = @host AND attempt_count = @attempt",
            cancellationToken, key).ConfigureAwait(false);
        if (held == 0)
        {
            return null;
        }

        var nextIndex = (await sql.QueryAsync(connection, transaction, "UPDATE runs SET task_count = task_count WHERE id = @run RETURNING task_count",
            r => r.GetInt32(0), cancellationToken, ("run", requester.RunId)).ConfigureAwait(false))[0];
        // The requester and what is downstream of it (a request naming one of them closes a cycle; a block reaches them), and
        // the run's tasks among those requested (merged by task id): not the whole run.
        RunTaskState Read(DbDataReader r) => new(r.GetInt32(0), r.GetString(1), Enum.Parse<TaskState>(r.GetString(2)), r.IsDBNull(3) ? null : r.GetString(3));
        var byIndex = (await sql.QueryAsync(connection, transaction,
            """
            WITH RECURSIVE down(task_index) AS (
                SELECT @index
                UNION
                SELECT e.dependent_index FROM run_edges e JOIN down d ON e.requirement_index = d.task_index WHERE e.run_id = @run)
            SELECT t.task_index, t.task_id, t.state, t.blocked_by FROM run_tasks t JOIN down d ON t.task_index = d.task_index WHERE t.run_id = @run
            """,
            Read, cancellationToken, ("run", requester.RunId), ("index", requester.TaskIndex)).ConfigureAwait(false)).ToDictionary(t => t.Index);
        var ids = requested.Nodes.Select(n => n.TaskId).Distinct(StringComparer.Ordinal).ToArray();
        var byId = (await sql.QueryAsync(connection, transaction,
            $"SELECT task_index, task_id, state, blocked_by FROM run_tasks WHERE run_id = @run AND {(sql.IsPostgres ? "task_id = ANY(@ids)" : "task_id IN (SELECT value FROM json_each(@ids))")}",
            Read, cancellationToken, ("run", requester.RunId), ("ids", sql.IsPostgres ? ids : JsonSerializer.Serialize(ids))).ConfigureAwait(false))
            .ToDictionary(t => t.TaskId, StringComparer.Ordinal);
        var plan = GraphExtension.Plan(requested, requester.TaskId, requester.TaskIndex, byId.GetValueOrDefault,
            byIndex.Values.Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal), nextIndex);
        if (plan.CycleError is not null)
        {
            return new SuspendResult(plan, [], null); // nothing written: the caller fails the requester
        }

        await InsertTasksAsync(sql, connection, transaction, requester.RunId, plan, now, cancellationToken).ConfigureAwait(false);
        await using (var edge = sql.Command(connection, transaction,
            "INSERT INTO run_edges (run_id, requirement_index, dependent_index) VALUES (@run, @from, @to) ON CONFLICT DO NOTHING",
            ("run", requester.RunId), ("from", 0), ("to", 0)))
        {
            foreach (var (from, to) in plan.Edges)
            {
                sql.Bind(edge, ("from", from), ("to", to));
                await edge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await AttemptSql.CloseAsync(sql, connection, transaction, requester.RunId, requester.TaskIndex, requester.Attempt, TaskState.Pending, null,
            truncatedLogLines, now, cancellationToken).ConfigureAwait(false); // suspended: no failure, no retry used
        await SqliteCompletion.WriteLogAsync(sql, connection, transaction,
            new TaskCompletion(requester.RunId, requester.TaskIndex, requester.TaskId, requester.Attempt, TaskState.Pending, null, null, log, truncatedLogLines),
            cancellationToken).ConfigureAwait(false);
        List<(int Index, string TaskId)> blocked = [];
        if (plan.RequesterBlockedBy is { } blocker)
        {
            blocked = [(requester.TaskIndex, requester.TaskId), .. byIndex.Keys.Where(i => i != requester.TaskIndex && byIndex[i].State == TaskState.Pending)
                .Select(i => (i, byIndex[i].TaskId))];
            await using var block = sql.Command(connection, transaction,
                "UPDATE run_tasks SET state = 'UpstreamFailed', blocked_by = @blocked, finished_at = @now, lease_expires_at = NULL WHERE run_id = @run AND task_index = @index",
                ("run", requester.RunId), ("index", 0), ("blocked", blocker), ("now", now));
            foreach (var (index, _) in blocked)
            {
                sql.Bind(block, ("index", index));
                await block.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await sql.ExecuteAsync(connection, transaction,
            $"""
            UPDATE run_tasks SET {(blocked.Count > 0 ? "lease_expires_at = NULL" : "state = 'Pending', remaining_requirements = @remaining, lease_expires_at = NULL")}
            WHERE run_id = @run AND task_index = @index
            """,
            cancellationToken, ("run", requester.RunId), ("index", requester.TaskIndex), ("remaining", plan.RequesterRemaining)).ConfigureAwait(false);
        await sql.ExecuteAsync(connection, transaction,
            "UPDATE runs SET task_count = task_count + @added, unfinished_count = unfinished_count + @unfinished WHERE id = @run",
            cancellationToken, ("run", requester.RunId), ("added", plan.Added.Count),
            ("unfinished", plan.Added.Count(a => !a.State.IsTerminal()) - blocked.Count)).ConfigureAwait(false);
        await ExclusionSql.WakeAsync(sql, connection, transaction, [requester.TaskId], cancellationToken).ConfigureAwait(false);
        await RunEndSql.CancelWaitingTasksIfCancellingAsync(sql, connection, transaction, requester.RunId, now, cancellationToken).ConfigureAwait(false);
        var finished = await RunEndSql.FinishIfDoneAsync(sql, connection, transaction, requester.RunId, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SuspendResult(plan, blocked, finished);
    }

    private static async Task InsertTasksAsync(
        SqlCommands sql, DbConnection connection, DbTransaction transaction, Guid runId, GraphExtension plan, DateTime now, CancellationToken cancellationToken)
    {
        await using var insert = sql.Command(connection, transaction,
            """
            INSERT INTO run_tasks (run_id, task_index, task_id, family, parameters, is_root, state, priority, critical_path,
                remaining_requirements, attempt_count, error_summary, error, blocked_by, finished_at, forced, recheck, resources)
            VALUES (@run, @index, @taskId, @family, @parameters, @false, @state, @priority, @path, @remaining, 0, @summary, @error, @blocked, @finished,
                @false, @true, @resources)
            """,
            ("run", runId), ("index", 0), ("taskId", ""), ("family", ""), ("parameters", ""), ("false", false), ("true", true), ("state", ""),
            ("priority", 0), ("path", 0.0), ("remaining", 0), ("summary", null), ("error", null), ("blocked", null), ("finished", null), ("resources", null));
        foreach (var added in plan.Added)
        {
            var node = added.Source;
            sql.Bind(insert, ("index", added.Index), ("taskId", SqlCommands.NoNul(node.TaskId)), ("family", node.Family),
                ("parameters", JsonSerializer.Serialize(GraphWriter.SafeParameters(node))), ("state", added.State.ToString()), ("priority", node.Priority),
                ("path", node.CriticalPath), ("remaining", added.Remaining), ("summary", SqlCommands.NoNul(node.ErrorSummary)), ("error", SqlCommands.NoNul(node.Error)),
                ("blocked", SqlCommands.NoNul(added.BlockedBy)),
                ("finished", added.State.IsTerminal() && added.State != TaskState.Complete ? now : null),
                ("resources", node.Resources.Count == 0 ? null : JsonSerializer.Serialize(node.Resources)));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
