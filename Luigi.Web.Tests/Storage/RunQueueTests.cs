using Luigi.Engine.ReadModel;
using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Luigi.Web.Tests.Storage;

/// <summary>The store's hot paths on both providers: claims for several workers, groups of outcomes, leases.</summary>
public sealed class RunQueueTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Claim_ForSeveralWorkers_GivesEachIdleWorkerADifferentReadyTask(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var (queue, runId, _) = await SavedRunAsync(store, TimeProvider.System, tasks: 8, width: 4);

        var first = await queue.ClaimAsync("host", [3, 5, 7], Lease, runId, CancellationToken.None);
        var second = await queue.ClaimAsync("host", [1, 2], Lease, runId, CancellationToken.None);

        Assert.Equal([3, 5, 7], first.Select(c => c.Worker));
        Assert.Equal([1], second.Select(c => c.Worker)); // the first layer has 4 tasks; the rest wait for them
        var claimed = first.Concat(second).ToList();
        Assert.Equal(4, claimed.Select(c => c.TaskId).Distinct().Count());
        Assert.All(claimed, c => Assert.Equal(1, c.Attempt));
        // As the run's page shows them (a running attempt's row is written when it ends: it is read from its task's).
        var attempts = (await new RunReader(store).GetAsync(runId))!.Tasks.SelectMany(t => t.Attempts.Select(a => (t.Index, Attempt: a))).ToList();
        Assert.Equal(claimed.Select(c => (c.TaskIndex, c.Worker)).Order(), attempts.Select(a => (a.Index, a.Attempt.Worker)).Order());
        Assert.All(attempts, a => Assert.Equal((TaskState.Running, "host"), (a.Attempt.Outcome, a.Attempt.HostId)));
        Assert.Empty(await queue.ClaimAsync("host", [4], Lease, runId, CancellationToken.None));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Complete_Group_CommitsEveryOutcomeWithItsConsequences_AndRefusesOnlyTheOneWhoseLeaseWasLost(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        // Layer 0 is tasks 0..2; task 3 and 5 require 0 and 2; task 4 requires 0, 1 and 2.
        var (queue, runId, index) = await SavedRunAsync(store, TimeProvider.System, tasks: 6, width: 3);
        var claimed = (await queue.ClaimAsync("host", [1, 2, 3], Lease, runId, CancellationToken.None)).ToDictionary(c => c.TaskId);
        var (task0, task1, task2) = (claimed["CountingTask(index=0)"], claimed["CountingTask(index=1)"], claimed["CountingTask(index=2)"]);

        var (results, _) = await queue.CompleteAsync("host",
        [
            Completion(task0, TaskState.Done, log: ["zero done"]),
            Completion(task1, TaskState.Failed, error: "System.Exception: broken\n   at somewhere"),
            Completion(task2 with { Attempt = 2 }, TaskState.Done), // not the attempt this host holds
        ], null, CancellationToken.None);

        Assert.Equal(0, results[0]!.Released); // 3, 4 and 5 all still wait for task 2
        Assert.Equal([(index["CountingTask(index=4)"], "CountingTask(index=4)")], results[1]!.Blocked);
        Assert.Null(results[2]);
        await using (var context = store.CreateDbContext())
        {
            var tasks = await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId).ToDictionaryAsync(t => t.TaskId);
            Assert.Equal(TaskState.Done, tasks["CountingTask(index=0)"].State);
            Assert.Equal((TaskState.Failed, "System.Exception: broken"), (tasks["CountingTask(index=1)"].State, tasks["CountingTask(index=1)"].ErrorSummary));
            Assert.Equal(TaskState.Running, tasks["CountingTask(index=2)"].State);
            Assert.Equal((TaskState.UpstreamFailed, "CountingTask(index=1)"), (tasks["CountingTask(index=4)"].State, tasks["CountingTask(index=4)"].BlockedBy));
            Assert.Equal((TaskState.Pending, 1), (tasks["CountingTask(index=3)"].State, tasks["CountingTask(index=3)"].RemainingRequirements));
            Assert.Equal((TaskState.Pending, 1), (tasks["CountingTask(index=5)"].State, tasks["CountingTask(index=5)"].RemainingRequirements));
            Assert.Equal(3, (await context.Runs.AsNoTracking().SingleAsync(r => r.Id == runId)).UnfinishedCount);
            var attempts = (await new RunReader(store).GetAsync(runId))!.Tasks.Where(t => t.Attempts.Count > 0)
                .ToDictionary(t => t.Index, t => t.Attempts.Single()); // as the run's page shows them, the running one included
            Assert.Equal(TaskState.Done, attempts[task0.TaskIndex].Outcome);
            Assert.Equal(TaskState.Failed, attempts[task1.TaskIndex].Outcome);
            Assert.Equal(TaskState.Running, attempts[task2.TaskIndex].Outcome);
            Assert.Equal(["zero done"], await context.AttemptLogLines.Where(l => l.RunId == runId).Select(l => l.Message).ToListAsync());
        }

        // Task 2's real outcome releases 3 and 5, which the same transaction claims for the idle workers.
        var (released, next) = await queue.CompleteAsync("host", [Completion(task2, TaskState.Done)],
            new ClaimRequest([1, 2, 3], Lease, runId), CancellationToken.None);

        Assert.Equal(2, released[0]!.Released);
        Assert.Null(released[0]!.RunFinished);
        Assert.Equal(["CountingTask(index=3)", "CountingTask(index=5)"], next.Select(c => c.TaskId).Order());
        var (last, _) = await queue.CompleteAsync("host", next.Select(c => Completion(c, TaskState.Done)).ToList(), null, CancellationToken.None);
        Assert.Equal(RunState.Failed, last.Select(r => r!.RunFinished).Single(f => f is not null));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Heartbeat_RenewsOnlyTheLeasesOfTasksTheHostHolds(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (queue, runId, _) = await SavedRunAsync(store, time, tasks: 4, width: 4);
        var host = new HostRecord { Id = "host", Name = "host", Workers = 2, StartedAt = time.GetUtcNow().UtcDateTime };
        var claimed = await queue.ClaimAsync(host.Id, [1, 2], Lease, runId, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(20));
        // The host runs the first task; the second claim's answer never reached it.
        await queue.HeartbeatAsync(host, Lease, [(claimed[0].RunId, claimed[0].TaskIndex)], CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(15));
        var requeued = await queue.RequeueExpiredAsync(Lease * 2, CancellationToken.None);

        Assert.Equal([(runId, claimed[1].TaskIndex, claimed[1].TaskId, claimed[1].Attempt)], requeued.Tasks);
        Assert.Empty(requeued.Runs);
        Assert.NotNull(await queue.CompleteAsync(host.Id, Completion(claimed[0], TaskState.Done), CancellationToken.None));
        Assert.Null(await queue.CompleteAsync(host.Id, Completion(claimed[1], TaskState.Done), CancellationToken.None));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Cancel_WhileResolving_EndsCancelled_AndNoTaskOfTheGraphRuns(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var queue = new RunQueue(store, TimeProvider.System);
        var runId = await queue.EnqueueAsync(new RunRequest("CountingPipeline",
            new Dictionary<string, string> { ["key"] = Guid.NewGuid().ToString("N"), ["tasks"] = "4", ["width"] = "2" }, RunTrigger.Api),
            CancellationToken.None);
        var run = (await queue.TakeQueuedRunAsync("resolver", runId, RunLimits.None, CancellationToken.None))!;

        var (result, cancelling) = await queue.CancelAsync(runId, "tester", RunTrigger.Api, CancellationToken.None);
        var graph = await GraphBuilder.BuildAsync(StoreFactory.Pipelines.Create(run.Pipeline, run.Parameters).Roots(), 4, CancellationToken.None);
        var saved = await queue.SaveGraphAsync(runId, graph, CancellationToken.None);

        Assert.Equal((CancelResult.Cancelled, RunState.Cancelling), (result, cancelling?.State));
        Assert.Equal(RunState.Cancelled, saved.State);
        Assert.Empty(await queue.ClaimAsync("worker-host", [1, 2], Lease, runId, CancellationToken.None));
        await using var context = store.CreateDbContext();
        Assert.All(await context.RunTasks.Where(t => t.RunId == runId).ToListAsync(), t => Assert.Equal(TaskState.Cancelled, t.State));
    }

    private static TaskCompletion Completion(ClaimedTask task, TaskState state, string? error = null, string[]? log = null) => new(
        task.RunId, task.TaskIndex, task.TaskId, task.Attempt, state, error, null,
        (log ?? []).Select(message => new LogLine(DateTimeOffset.UtcNow, LogLevel.Information, message)).ToList(), 0);

    [Fact]
    public async Task SaveGraph_OfALargeGraphOnAFreshPostgresDatabase_AnalyzesItsTables_AndOfASmallOneDoesNot()
    {
        var store = await _stores.CreateAsync(StoreProvider.Postgres);

        await SavedRunAsync(store, TimeProvider.System, tasks: 10, width: 5);
        Assert.Equal((null, null), await StatisticsAsync(store));

        var tasks = GraphWriter.AnalyzeFromTasks + 200;
        await SavedRunAsync(store, TimeProvider.System, tasks: tasks, width: 100);
        var (runTasks, runEdges) = await StatisticsAsync(store);
        // Analyzed at once (not by autovacuum, which sets last_autoanalyze), with every row of both runs counted.
        Assert.Equal(tasks + 10, runTasks);
        Assert.True(runEdges > tasks, $"run_edges analyzed with {runEdges} rows");
    }

    [Fact]
    public async Task SaveGraph_WhoseCopyOutlastsTheCommandTimeout_IsWrittenOnce()
    {
        var migrated = await _stores.CreateAsync(StoreProvider.Postgres);
        // Every command of this store gives up after 1 s; a graph's COPY must not (a large one takes longer than any such limit).
        var store = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = migrated.ConnectionString + ";Command Timeout=1" });
        var queue = new RunQueue(store, TimeProvider.System);
        var runId = await queue.EnqueueAsync(new RunRequest("CountingPipeline",
            new Dictionary<string, string> { ["key"] = Guid.NewGuid().ToString("N"), ["tasks"] = "40", ["width"] = "10" }, RunTrigger.Api),
            CancellationToken.None);
        var run = (await queue.TakeQueuedRunAsync("resolver", runId, RunLimits.None, CancellationToken.None))!;
        var graph = await GraphBuilder.BuildAsync(StoreFactory.Pipelines.Create(run.Pipeline, run.Parameters).Roots(), 4, CancellationToken.None);

        // Another session writes a row with the key of the run's first task and holds it uncommitted: the COPY's unique check of
        // that key, made as its rows arrive (all at its completion, for a graph this small), waits for it.
        await using var holder = new Npgsql.NpgsqlConnection(migrated.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var command = new Npgsql.NpgsqlCommand(
            """
            INSERT INTO run_tasks (run_id, task_index, task_id, family, parameters, is_root, state, priority, critical_path,
                remaining_requirements, attempt_count, forced, recheck)
            VALUES (@run, 0, 'Held', 'Held', '{}', false, 'Pending', 0, 0, 0, 0, false, false)
            """, holder, transaction))
        {
            command.Parameters.AddWithValue("run", runId);
            await command.ExecuteNonQueryAsync();
        }

        var save = queue.SaveGraphAsync(runId, graph, CancellationToken.None);
        // Watched from a third session: pg_stat_activity holds still within a transaction, and so does now().
        await using var watcher = new Npgsql.NpgsqlConnection(migrated.ConnectionString);
        await watcher.OpenAsync();
        await using (var waited = new Npgsql.NpgsqlCommand(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE query LIKE 'COPY run_tasks%' AND wait_event_type = 'Lock' AND clock_timestamp() - query_start > interval '2 seconds'
            """, watcher))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Convert.ToInt64(await waited.ExecuteScalarAsync()) == 0)
            {
                Assert.False(save.IsCompleted, $"the graph's write ended while the run was locked: {save.Exception?.GetBaseException().Message}");
                Assert.True(DateTime.UtcNow < deadline, "the graph's COPY never waited on the run's lock");
                await Task.Delay(50);
            }
        }

        await transaction.RollbackAsync();
        var saved = await save;

        Assert.Equal(RunState.Running, saved.State);
        await using var context = migrated.CreateDbContext();
        Assert.Equal(40, await context.RunTasks.CountAsync(t => t.RunId == runId));
    }

    [Fact]
    public async Task SaveGraph_WhenTheStatisticsCannotBeRefreshed_KeepsTheGraph_AndLogsAWarning()
    {
        var store = await _stores.CreateAsync(StoreProvider.Postgres);
        var logs = new CapturingLoggerProvider();
        // Another session holds a lock that ANALYZE needs (and a COPY does not) until the refresh gives up (its lock_timeout).
        await using var holder = new Npgsql.NpgsqlConnection(store.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var command = new Npgsql.NpgsqlCommand("LOCK TABLE run_edges IN SHARE UPDATE EXCLUSIVE MODE", holder, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        var tasks = GraphWriter.AnalyzeFromTasks + 200;
        var (_, runId, index) = await SavedRunAsync(store, TimeProvider.System, tasks, width: 100, logs.CreateLogger("RunQueue"));
        await transaction.RollbackAsync();

        Assert.Equal(tasks, index.Count);
        await using var context = store.CreateDbContext();
        Assert.Equal(RunState.Running, (await context.Runs.SingleAsync(r => r.Id == runId)).State);
        Assert.Equal(tasks, await context.RunTasks.CountAsync(t => t.RunId == runId));
        Assert.Equal((null, null), await StatisticsAsync(store));
        var warning = Assert.Single(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));
        Assert.Contains($"could not be refreshed after writing a graph of {tasks} tasks", warning);
        Assert.Contains("lock timeout", warning);
    }

    /// <summary>The rows run_tasks and run_edges were last analyzed with by an ANALYZE statement (null when never).</summary>
    private static async Task<(long? RunTasks, long? RunEdges)> StatisticsAsync(LuigiStore store)
    {
        await using var connection = new Npgsql.NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            """
            SELECT c.relname::text, c.reltuples::bigint FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE c.relname IN ('run_tasks', 'run_edges') AND s.last_analyze IS NOT NULL
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = reader.GetInt64(1);
        }

        return (rows.TryGetValue("run_tasks", out var t) ? t : null, rows.TryGetValue("run_edges", out var e) ? e : null);
    }

    private static async Task<(RunQueue Queue, Guid RunId, Dictionary<string, int> Index)> SavedRunAsync(
        LuigiStore store, TimeProvider time, int tasks, int width, ILogger? logger = null)
    {
        var queue = new RunQueue(store, time, logger: logger);
        var runId = await queue.EnqueueAsync(new RunRequest("CountingPipeline",
            new Dictionary<string, string> { ["key"] = Guid.NewGuid().ToString("N"), ["tasks"] = tasks.ToString(), ["width"] = width.ToString() },
            RunTrigger.Api), CancellationToken.None);
        var run = (await queue.TakeQueuedRunAsync("resolver", runId, RunLimits.None, CancellationToken.None))!;
        var graph = await GraphBuilder.BuildAsync(StoreFactory.Pipelines.Create(run.Pipeline, run.Parameters).Roots(), 4, CancellationToken.None);
        await queue.SaveGraphAsync(runId, graph, CancellationToken.None);
        return (queue, runId, graph.Nodes.ToDictionary(n => n.TaskId, n => n.Index));
    }
}
