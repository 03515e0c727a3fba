using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Luigi.Engine.Execution;

namespace Luigi.Web.Bench;

/// <summary>
/// Runs synthetic graphs through the configured store (every transition committed): the store is opened
/// and migrated once, then each run is enqueued, resolved, written and executed by one host with
/// <c>W</c> workers that works on that run only.
/// </summary>
internal sealed class BenchStore
{
    private readonly LuigiStore _store;
    private readonly PipelineRegistry _registry = new PipelineRegistry().Add(typeof(BenchPipeline));

    /// <summary>The tables every transition reads or writes; their sequential scans are reported per 1,000 tasks.</summary>
    public static readonly string[] HotTables = ["run_tasks", "run_edges", "attempts", "runs"];

    private BenchStore(LuigiStore store) => _store = store;

    public bool IsPostgres => _store.Provider == StoreProvider.Postgres;

    public static async Task<BenchStore> OpenAsync(string provider, CancellationToken cancellationToken)
    {
        var options = LuigiWebSetup.ReadStoreOptions(LuigiWebSetup.LoadConfiguration());
        options.Provider = Enum.Parse<StoreProvider>(provider, ignoreCase: true);
        var store = LuigiStore.Create(options);
        await store.MigrateAsync(cancellationToken);
        return new BenchStore(store);
    }

    /// <summary>Runs one graph to its end; returns how many tasks are Done and how long the resolution took
    /// (from the request to the first attempt's start: building the graph, checking completeness, writing it).</summary>
    public async Task<(int Done, double ResolveSeconds)> RunAsync(BenchShape shape, int count, int width, int workers, CancellationToken cancellationToken)
    {
        var executorOptions = new StoreExecutorOptions { PollInterval = TimeSpan.FromMilliseconds(50) };
        var executor = new StoreExecutor(_store, _registry, new LuigiEngineOptions { Workers = workers }, executorOptions);
        var runId = await executor.EnqueueAsync(new RunRequest(nameof(BenchPipeline),
            new Dictionary<string, string> { ["shape"] = shape.ToString(), ["tasks"] = count.ToString(), ["width"] = width.ToString() },
            RunTrigger.Cli, "bench"), cancellationToken);
        await executor.RunToEndAsync(runId, cancellationToken);
        await using var context = _store.CreateDbContext();
        var done = await context.RunTasks.CountAsync(t => t.RunId == runId && t.State == TaskState.Done, cancellationToken);
        var requested = (await context.Runs.SingleAsync(r => r.Id == runId, cancellationToken)).CreatedAt;
        var firstStart = await context.Attempts.Where(a => a.RunId == runId).MinAsync(a => (DateTime?)a.StartedAt, cancellationToken);
        return (done, ((firstStart ?? requested) - requested).TotalSeconds);
    }

    /// <summary>
    /// Sequential scans of the hot tables so far (PostgreSQL's cumulative statistics: scans and rows read), or null on
    /// SQLite. The process's pooled connections are closed first and their backends waited for (up to 15 s): a backend
    /// publishes its counters when it exits, and otherwise only up to 10 s after it went idle.
    /// </summary>
    public async Task<Dictionary<string, (long Scans, long Rows)>?> SequentialScansAsync(CancellationToken cancellationToken)
    {
        if (!IsPostgres)
        {
            return null;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_store.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var others = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            connection))
        {
            for (var waited = 0; waited < 150 && (long)(await others.ExecuteScalarAsync(cancellationToken))! > 0; waited++)
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        await using var command = new NpgsqlCommand(
            "SELECT relname, coalesce(seq_scan, 0), coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relname = ANY(@tables)", connection);
        command.Parameters.AddWithValue("tables", HotTables);
        var scans = HotTables.ToDictionary(t => t, _ => (0L, 0L));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            scans[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        }

        return scans;
    }
}
