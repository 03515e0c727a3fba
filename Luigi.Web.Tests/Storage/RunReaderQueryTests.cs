using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Components;
using Luigi.Web.Tests.Infrastructure;

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
}
