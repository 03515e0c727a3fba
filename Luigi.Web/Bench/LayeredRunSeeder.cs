using System.Text.Json;
using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Luigi.Engine.Execution;

namespace Luigi.Web.Bench;

/// <summary>
/// Writes a finished run of one task family straight into a PostgreSQL store, as the executor would have left it,
/// without running anything: layers of <c>width</c> tasks <c>LayeredTask(index=i)</c>, each requiring the first, the
/// same and the last task of the layer before (the shape of the dashboard bench). The given tasks failed and every
/// task downstream of them is UpstreamFailed, blocked by the first of them that reaches it; the rest are Done.
/// For the dashboard's bench and tests of runs too big to execute quickly (20,000 to 100,000 tasks).
/// </summary>
public static class LayeredRunSeeder
{
    public const string Pipeline = "DashboardRenderBench";

    public const string Family = "LayeredTask";

    /// <summary>The id of task <paramref name="index"/>.</summary>
    public static string TaskId(int index) => $"{Family}(index={index})";

    /// <summary>The requirements of task <paramref name="index"/>.</summary>
    public static IEnumerable<int> Requirements(int index, int width)
    {
        var layerStart = index / width * width;
        if (layerStart == 0)
        {
            return [];
        }

        return new[] { 0, index % width, width - 1 }.Distinct().Select(offset => layerStart - width + offset);
    }

    /// <summary>
    /// Writes the run; returns its id. With <paramref name="attempts"/>, every task that ran has its one attempt, in
    /// 32 lanes (4 hosts of 8 workers), 32 starting every 50 ms, each lasting 40 ms.
    /// </summary>
    public static async Task<Guid> SeedAsync(
        LuigiStore store, int tasks, IReadOnlyList<int> failed, int width = 100, bool attempts = false, CancellationToken cancellationToken = default)
    {
        var (states, blockedBy) = States(tasks, failed, width);
        var runId = Guid.NewGuid();
        var at = DateTime.UtcNow.AddMinutes(-10);
        await using var context = store.CreateDbContext();
        context.Runs.Add(new RunRecord
        {
            Id = runId, Pipeline = Pipeline, Parameters = new() { ["tasks"] = tasks.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Trigger = RunTrigger.Api, RequestedBy = "seed", State = failed.Count > 0 ? RunState.Failed : RunState.Succeeded,
            CreatedAt = at, StartedAt = at.AddSeconds(1), FinishedAt = at.AddSeconds(60), TaskCount = tasks, UnfinishedCount = 0,
        });
        await context.SaveChangesAsync(cancellationToken);
        var connection = (NpgsqlConnection)context.Database.GetDbConnection();
        await context.Database.OpenConnectionAsync(cancellationToken);
        await using (var writer = await connection.BeginBinaryImportAsync(
                         """
                         COPY run_tasks (run_id, task_index, task_id, family, parameters, is_root, state, priority, critical_path,
                             remaining_requirements, attempt_count, error_summary, error, blocked_by, started_at, finished_at) FROM STDIN (FORMAT BINARY)
                         """, cancellationToken))
        {
            for (var i = 0; i < tasks; i++)
            {
                var ran = states[i] != TaskState.UpstreamFailed;
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(runId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(TaskId(i), NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(Family, NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["index"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
                    NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(i >= tasks - width, NpgsqlDbType.Boolean, cancellationToken);
                await writer.WriteAsync(states[i].ToString(), NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(0d, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(ran ? 1 : 0, NpgsqlDbType.Integer, cancellationToken);
                await WriteNullableAsync(writer, states[i] == TaskState.Failed ? $"InvalidOperationException: task {i} failed" : null, NpgsqlDbType.Varchar, cancellationToken);
                await WriteNullableAsync(writer, states[i] == TaskState.Failed ? $"System.InvalidOperationException: task {i} failed" : null, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(writer, blockedBy[i], NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(at.AddSeconds(2), NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync(at.AddSeconds(3), NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
                         "COPY run_edges (run_id, requirement_index, dependent_index) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < tasks; i++)
            {
                foreach (var requirement in Requirements(i, width))
                {
                    await writer.StartRowAsync(cancellationToken);
                    await writer.WriteAsync(runId, NpgsqlDbType.Uuid, cancellationToken);
                    await writer.WriteAsync(requirement, NpgsqlDbType.Integer, cancellationToken);
                    await writer.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
                }
            }

            await writer.CompleteAsync(cancellationToken);
        }

        if (attempts)
        {
            await using var writer = await connection.BeginBinaryImportAsync(
                "COPY attempts (run_id, task_index, number, started_at, finished_at, outcome, host_id, worker, error, truncated_log_lines) FROM STDIN (FORMAT BINARY)",
                cancellationToken);
            for (var i = 0; i < tasks; i++)
            {
                if (states[i] == TaskState.UpstreamFailed)
                {
                    continue;
                }

                var start = at.AddSeconds(2).AddMilliseconds(i / 32 * 50);
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(runId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(1, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(start, NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync(start.AddMilliseconds(40), NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync(states[i].ToString(), NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync($"bench-host-{i % 4}", NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(i / 4 % 8, NpgsqlDbType.Integer, cancellationToken);
                await WriteNullableAsync(writer, states[i] == TaskState.Failed ? $"System.InvalidOperationException: task {i} failed" : null, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        return runId;
    }

    /// <summary>Every task's state, and for the blocked ones the failed task that blocked them first.</summary>
    public static (TaskState[] States, string?[] BlockedBy) States(int tasks, IReadOnlyList<int> failed, int width)
    {
        var states = Enumerable.Repeat(TaskState.Done, tasks).ToArray();
        var blockedBy = new string?[tasks];
        var dependents = new List<int>[tasks];
        for (var i = 0; i < tasks; i++)
        {
            foreach (var requirement in Requirements(i, width))
            {
                (dependents[requirement] ??= []).Add(i);
            }
        }

        foreach (var f in failed)
        {
            states[f] = TaskState.Failed;
        }

        foreach (var f in failed)
        {
            var stack = new Stack<int>([f]);
            while (stack.TryPop(out var current))
            {
                foreach (var dependent in dependents[current] ?? [])
                {
                    if (states[dependent] == TaskState.Done)
                    {
                        states[dependent] = TaskState.UpstreamFailed;
                        blockedBy[dependent] = TaskId(f);
                        stack.Push(dependent);
                    }
                }
            }
        }

        return (states, blockedBy);
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter writer, string? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await writer.WriteNullAsync(cancellationToken);
        }
        else
        {
            await writer.WriteAsync(value, type, cancellationToken);
        }
    }
}
