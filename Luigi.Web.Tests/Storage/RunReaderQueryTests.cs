using Microsoft.EntityFrameworkCore;
using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Tests.Components;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Tests.Storage;

/// <summary>The read queries of the dashboard (search, time range, status) on both providers.</summary>
public sealed class RunReaderQueryTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Search_MatchesTaskIdsAndParameterValuesIgnoringCase_AndEscapesWildcards(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var complex = await TestRuns.SeedFailedComplexRunAsync(store, RunState.Failed, TestRuns.Start);
        var sales = await TestRuns.SeedQueuedRunAsync(store, "DailySales", TestRuns.Start.AddHours(1), new() { ["dataDir"] = "/srv/Sales_A" });
        var reader = new RunReader(store);

        async Task<Guid[]> Find(string text) => (await reader.ListAsync(new RunFilter(Search: text))).Items.Select(r => r.Id).ToArray();

        Assert.Equal([complex], await Find("TASKG"));
        Assert.Equal([sales], await Find("sales_a"));
        Assert.Empty(await Find("sales%a"));
        Assert.Empty(await Find("sales__"));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Status_CountsActiveAndRecentRunsTasks_ListsActiveRunsAndTheLatestFailures(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var old = await TestRuns.SeedFailedComplexRunAsync(store, RunState.Failed, TestRuns.Start.AddDays(-3));
        var running = await TestRuns.SeedFailedComplexRunAsync(store, RunState.Running, TestRuns.Start);
        var reader = new RunReader(store);

        var status = await reader.GetStatusAsync(TestRuns.Start.AddDays(-1));

        Assert.Equal(3, status.Counts[TaskState.Done]);
        Assert.False(status.Counts.ContainsKey(TaskState.Failed));
        Assert.Equal(running, Assert.Single(status.Active).Id);
        Assert.Equal((old, "TaskD"), (Assert.Single(status.Failures).RunId, status.Failures[0].TaskId));
        Assert.Equal([running], (await reader.ListAsync(new RunFilter(Since: TestRuns.Start.AddDays(-1), Until: TestRuns.Start.AddMinutes(1)))).Items.Select(r => r.Id));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task RootCauses_ListEachFailureWithTheTasksItBlocked_AndGraph_HasStatesWithoutAttempts(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var run = await TestRuns.SeedFailedComplexRunAsync(store, RunState.Failed, TestRuns.Start);
        var reader = new RunReader(store);

        var causes = await reader.GetRootCausesAsync(run, listed: 1);

        var cause = Assert.Single(causes!.Failures);
        Assert.Equal(("TaskD", 3, 2), (cause.TaskId, cause.Index, cause.BlockedCount));
        Assert.Equal(["TaskE"], cause.Blocked.Select(b => b.TaskId));
        Assert.Equal(new Dictionary<string, int> { ["TaskE"] = 1, ["TaskG"] = 1 }, cause.BlockedByFamily);
        Assert.Equal((2, 0), (causes.BlockedTotal, causes.UnattributedBlocked));
        Assert.StartsWith("InvalidOperationException: TaskD failed", cause.ErrorSummary);
        Assert.Null(await reader.GetRootCausesAsync(Guid.NewGuid()));

        var graph = await reader.GetGraphColumnsAsync(run);
        Assert.Equal(TestRuns.Ids, graph!.TaskId);
        Assert.Equal("TaskD", graph.TaskId[graph.BlockedBy[6]]);
        Assert.Equal((nameof(TaskState.Failed), 2), (graph.States[graph.TaskState[3]], graph.Attempts[3]));
        Assert.Equal(TestRuns.Edges.Order(), graph.Edges.Chunk(2).Select(e => (e[0], e[1])).Order());
        Assert.Null(await reader.GetGraphColumnsAsync(Guid.NewGuid()));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task GraphColumns_HoldTheGraphsFacts_WithBlockersByIndex_AndParametersAsStored(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var run = await TestRuns.SeedFailedComplexRunAsync(store, RunState.Failed, TestRuns.Start);
        var other = Guid.NewGuid();
        await using (var context = store.CreateDbContext())
        {
            var a = await context.RunTasks.SingleAsync(t => t.RunId == run && t.TaskIndex == 0);
            a.Parameters = new() { ["date"] = "2026-11-26", ["note"] = "<b>\"ünïcode\"</b>" };
            var f = await context.RunTasks.SingleAsync(t => t.RunId == run && t.TaskIndex == 5);
            (f.State, f.BlockedBy) = (TaskState.Waiting, other.ToString());   // a Waiting task names the run it waits for
            await context.SaveChangesAsync();
        }

        List<RunTaskRecord> stored;
        await using (var context = store.CreateDbContext())
        {
            stored = await context.RunTasks.AsNoTracking().Where(t => t.RunId == run).OrderBy(t => t.TaskIndex).ToListAsync();
        }

        var columns = (await new RunReader(store).GetGraphColumnsAsync(run))!;

        Assert.Equal((run, RunState.Failed), (columns.RunId, columns.State));
        Assert.Equal(TestRuns.Ids, columns.TaskId);
        Assert.Equal(stored.Select(t => t.Family), columns.Family.Select(f => columns.Families[f]));
        Assert.Equal(stored.Select(t => t.State.ToString()), columns.TaskState.Select(s => columns.States[s]));
        Assert.Equal(stored.Select(t => t.AttemptCount), columns.Attempts);
        Assert.Equal([-1, -1, -1, -1, 3, -1, 3], columns.BlockedBy);  // TaskE and TaskG blocked by TaskD; the Waiting TaskF by no task
        Assert.Equal(stored.Select(t => (IReadOnlyDictionary<string, string>)t.Parameters), columns.Parameters.Select(p => p.Read()));
        Assert.Equal("<b>\"ünïcode\"</b>", columns.Parameters[0].Read()["note"]);
        Assert.Equal(TestRuns.Edges.Order(), columns.Edges.Chunk(2).Select(e => (e[0], e[1])).Order());
        Assert.Null(await new RunReader(store).GetGraphColumnsAsync(Guid.NewGuid()));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task PipelineStrips_HoldEachPipelinesLastRunsOldestFirst_AndCountWhatRunsNow(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var runs = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            runs.Add(await TestRuns.SeedFailedComplexRunAsync(store, i == 3 ? RunState.Running : RunState.Failed, TestRuns.Start.AddHours(i)));
        }

        await TestRuns.SeedQueuedRunAsync(store, "DailySales", TestRuns.Start, new() { ["days"] = "2" });
        var reader = new RunReader(store);

        var strips = await reader.GetPipelineStripsAsync(perPipeline: 3);

        Assert.Equal(["ComplexExample", "DailySales"], strips.Select(s => s.Pipeline));
        Assert.Equal(runs[1..], strips[0].Runs.Select(r => r.Id));
        Assert.Equal((TimeSpan.FromSeconds(8), (TimeSpan?)null), (strips[0].Runs[0].Duration!.Value, strips[0].Runs[2].Duration));
        Assert.Equal((1, 1), (strips[0].Active, strips[1].Active));
        Assert.Equal([runs[2], runs[1]], (await reader.ListAsync(new RunFilter(State: RunState.Failed, FinishedSince: TestRuns.Start.AddHours(1)))).Items.Select(r => r.Id));
    }
}
