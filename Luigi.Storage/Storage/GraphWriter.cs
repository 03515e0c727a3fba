using System.Data.Common;
using System.Text.Json;
using Luigi.Engine.Graph;
using Npgsql;
using NpgsqlTypes;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Storage;

/// <summary>
/// Writes a resolved graph into a run: one row per task (with its state after resolution, its count of
/// unsatisfied requirements and its critical path) and one per edge. PostgreSQL gets binary COPY, its
/// rows written synchronously into the importer's buffer (an await per field cost more than the COPY
/// itself; the buffer goes out when full); SQLite gets one prepared insert reused in the caller's transaction.
/// </summary>
internal static class GraphWriter
{
    public static async Task WriteAsync(
        SqlCommands sql, DbConnection connection, DbTransaction transaction, Guid runId, TaskGraph graph,
        TaskState[] states, string?[] blockedBy, DateTime now, CancellationToken cancellationToken)
    {
        var roots = graph.Roots.ToHashSet();
        // Text from tasks (ids, parameter values, errors of Requires or Complete) may carry NUL, which PostgreSQL refuses.
        var rows = graph.Nodes.Select(n => new TaskRow(
            n.Index, SqlCommands.NoNul(n.TaskId), n.Family, JsonSerializer.Serialize(SafeParameters(n)), roots.Contains(n.Index), states[n.Index],
            n.Priority, n.CriticalPath, n.Requirements.Count(r => !states[r].IsSatisfied()),
            SqlCommands.NoNul(n.ErrorSummary), SqlCommands.NoNul(n.Error), SqlCommands.NoNul(blockedBy[n.Index]), states[n.Index].IsTerminal() && states[n.Index] != TaskState.Complete ? now : null,
            n.Forced, n.Resources.Count == 0 ? null : JsonSerializer.Serialize(n.Resources)));

        if (connection is NpgsqlConnection npgsql)
        {
            await CopyTasksAsync(npgsql, runId, rows, cancellationToken).ConfigureAwait(false);
            await CopyEdgesAsync(npgsql, runId, graph, cancellationToken).ConfigureAwait(false);
            return;
        }

        await using (var insert = sql.Command(connection, transaction,
            """
            INSERT INTO run_tasks (run_id, task_index, task_id, family, parameters, is_root, state, priority, critical_path,
                remaining_requirements, attempt_count, error_summary, error, blocked_by, finished_at, forced, recheck, resources)
            VALUES (@run, @index, @taskId, @family, @parameters, @root, @state, @priority, @path, @remaining, 0, @summary, @error, @blocked, @finished,
                @forced, 0, @resources)
            """,
            ("run", runId), ("index", 0), ("taskId", ""), ("family", ""), ("parameters", ""), ("root", false), ("state", ""),
            ("priority", 0), ("path", 0.0), ("remaining", 0), ("summary", null), ("error", null), ("blocked", null), ("finished", null),
            ("forced", false), ("resources", null)))
        {
            insert.Prepare();
            foreach (var row in rows)
            {
                insert.Parameters["index"].Value = row.Index;
                insert.Parameters["taskId"].Value = row.TaskId;
                insert.Parameters["family"].Value = row.Family;
                insert.Parameters["parameters"].Value = row.ParametersJson;
                insert.Parameters["root"].Value = row.IsRoot;
                insert.Parameters["state"].Value = row.State.ToString();
                insert.Parameters["priority"].Value = row.Priority;
                insert.Parameters["path"].Value = row.CriticalPath;
                insert.Parameters["remaining"].Value = row.Remaining;
                insert.Parameters["summary"].Value = (object?)row.ErrorSummary ?? DBNull.Value;
                insert.Parameters["error"].Value = (object?)row.Error ?? DBNull.Value;
                insert.Parameters["blocked"].Value = (object?)row.BlockedBy ?? DBNull.Value;
                insert.Parameters["finished"].Value = (object?)row.FinishedAt ?? DBNull.Value;
                insert.Parameters["forced"].Value = row.Forced;
                insert.Parameters["resources"].Value = (object?)row.Resources ?? DBNull.Value;
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using var edge = sql.Command(connection, transaction,
            "INSERT INTO run_edges (run_id, requirement_index, dependent_index) VALUES (@run, @from, @to)",
            ("run", runId), ("from", 0), ("to", 0));
        edge.Prepare();
        foreach (var node in graph.Nodes)
        {
            foreach (var requirement in node.Requirements)
            {
                edge.Parameters["from"].Value = requirement;
                edge.Parameters["to"].Value = node.Index;
                await edge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A graph of at least this many tasks gets its tables analyzed at once when their statistics are stale.</summary>
    public const int AnalyzeFromTasks = 1_000;

    /// <summary>
    /// On PostgreSQL, once a graph of <see cref="AnalyzeFromTasks"/> tasks or more is committed, analyzes <c>run_tasks</c> and
    /// <c>run_edges</c> when what was just written is a tenth or more of what their statistics describe (or they have none):
    /// the statements of the run that starts now are planned from those statistics, and autovacuum may take minutes to
    /// gather them (a table never analyzed was read by sequential scans, ten times slower on a fresh database). The
    /// tenth is autovacuum's own default (<c>autovacuum_analyze_scale_factor</c>), applied at once instead of at its next
    /// round. ANALYZE reads a sample of fixed size (300 × the statistics target), so it costs about the same at any size.
    /// It is an optimisation only: the graph is committed, so a failure here (a lock held too long, the server going away)
    /// is logged as a warning and the run goes on; autovacuum gathers the statistics later.
    /// </summary>
    public static async Task RefreshStatisticsAsync(SqlCommands sql, int tasks, int edges, ILogger logger, CancellationToken cancellationToken)
    {
        if (!sql.IsPostgres || tasks < AnalyzeFromTasks)
        {
            return;
        }

        try
        {
            await using var connection = await sql.OpenAsync(cancellationToken).ConfigureAwait(false);
            // reltuples is what the planner's statistics were gathered on: -1 when never analyzed (PostgreSQL 14 and later), 0 before 14.
            var described = await sql.QueryAsync(connection, null,
                "SELECT relname::text, reltuples FROM pg_class WHERE oid IN ('run_tasks'::regclass, 'run_edges'::regclass)",
                r => (Table: r.GetString(0), Rows: Convert.ToDouble(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)),
                cancellationToken).ConfigureAwait(false);
            var stale = described
                .Where(t => (t.Table == "run_tasks" ? tasks : edges) >= 0.1 * Math.Max(0, t.Rows) || t.Rows <= 0)
                .Select(t => t.Table)
                .Order(StringComparer.Ordinal)
                .ToList();
            if (stale.Count > 0)
            {
                // lock_timeout: an ANALYZE of another host holds the tables' lock for a moment; waiting longer is not worth it.
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await sql.ExecuteAsync(connection, transaction, "SET LOCAL lock_timeout = '5s'", cancellationToken).ConfigureAwait(false);
                await sql.ExecuteAsync(connection, transaction, $"ANALYZE {string.Join(", ", stale)}", cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not the run's failure (see above): it goes on with the statistics it has, and the warning says why it may be slow.
            logger.LogWarning(exception,
                "The statistics of run_tasks and run_edges could not be refreshed after writing a graph of {Tasks} tasks; its statements are planned " +
                "with the statistics there are until autovacuum analyzes the tables", tasks);
        }
    }

    private static async Task CopyTasksAsync(NpgsqlConnection connection, Guid runId, IEnumerable<TaskRow> rows, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            """
            COPY run_tasks (run_id, task_index, task_id, family, parameters, is_root, state, priority, critical_path,
                remaining_requirements, attempt_count, error_summary, error, blocked_by, finished_at, forced, recheck, resources) FROM STDIN (FORMAT BINARY)
            """, cancellationToken).ConfigureAwait(false);
        LongTimeout(writer);
        foreach (var row in rows)
        {
            writer.StartRow();
            writer.Write(runId, NpgsqlDbType.Uuid);
            writer.Write(row.Index, NpgsqlDbType.Integer);
            writer.Write(row.TaskId, NpgsqlDbType.Varchar);
            writer.Write(row.Family, NpgsqlDbType.Varchar);
            writer.Write(row.ParametersJson, NpgsqlDbType.Text);
            writer.Write(row.IsRoot, NpgsqlDbType.Boolean);
            writer.Write(row.State.ToString(), NpgsqlDbType.Varchar);
            writer.Write(row.Priority, NpgsqlDbType.Integer);
            writer.Write(row.CriticalPath, NpgsqlDbType.Double);
            writer.Write(row.Remaining, NpgsqlDbType.Integer);
            writer.Write(0, NpgsqlDbType.Integer);
            WriteNullable(writer, row.ErrorSummary, NpgsqlDbType.Varchar);
            WriteNullable(writer, row.Error, NpgsqlDbType.Text);
            WriteNullable(writer, row.BlockedBy, NpgsqlDbType.Varchar);
            if (row.FinishedAt is { } finished)
            {
                writer.Write(finished, NpgsqlDbType.TimestampTz);
            }
            else
            {
                writer.WriteNull();
            }

            writer.Write(row.Forced, NpgsqlDbType.Boolean);
            writer.Write(false, NpgsqlDbType.Boolean);
            WriteNullable(writer, row.Resources, NpgsqlDbType.Text);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task CopyEdgesAsync(NpgsqlConnection connection, Guid runId, TaskGraph graph, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY run_edges (run_id, requirement_index, dependent_index) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        LongTimeout(writer);
        foreach (var node in graph.Nodes)
        {
            foreach (var requirement in node.Requirements)
            {
                writer.StartRow();
                writer.Write(runId, NpgsqlDbType.Uuid);
                writer.Write(requirement, NpgsqlDbType.Integer);
                writer.Write(node.Index, NpgsqlDbType.Integer);
            }
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A graph's COPY may take an hour (the host's stopping token still ends it sooner). It had the connection's command
    /// timeout (30 s by default), which its completion, where PostgreSQL then checked every row's foreign key, passed for a
    /// million-task graph on a loaded machine: the write was broken off, rolled back and tried again from the start, again
    /// and again. Not "no limit" (a zero timeout): with that, the two-host exclusion test saw an attempt start twice, every
    /// time it ran (the importer's timeout seems to stay with the pooled connection); with an hour it did not.
    /// </summary>
    private static void LongTimeout(NpgsqlBinaryImporter writer) => writer.Timeout = TimeSpan.FromHours(1);

    private static void WriteNullable(NpgsqlBinaryImporter writer, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.Write(value, type);
        }
    }

    internal static Dictionary<string, string> SafeParameters(TaskNode node)
    {
        try
        {
            return node.Task.DescribeParameters().ToDictionary(p => SqlCommands.NoNul(p.Key), p => SqlCommands.NoNul(p.Value));
        }
        catch (Exception exception)
        {
            return new Dictionary<string, string> { ["(error)"] = SqlCommands.NoNul(exception.Message) };
        }
    }

    private sealed record TaskRow(
        int Index, string TaskId, string Family, string ParametersJson, bool IsRoot, TaskState State, int Priority, double CriticalPath,
        int Remaining, string? ErrorSummary, string? Error, string? BlockedBy, DateTime? FinishedAt, bool Forced, string? Resources);
}
