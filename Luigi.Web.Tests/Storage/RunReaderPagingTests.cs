using Luigi.Engine;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Components;
using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Storage;

/// <summary>A run read a page at a time and counted in SQL, on both providers: what a run too big to read whole relies on.</summary>
public sealed class RunReaderPagingTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private const int Tasks = 300;
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    private async Task<(RunReader Reader, Guid Run)> SeedAsync(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        return (new RunReader(store), await TestRuns.SeedWideRunAsync(store, Tasks));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Tasks_ComeInPagesThatCoverTheRunOnceInAStableOrder_AndTheTotalMatches(StoreProvider provider)
    {
        var (reader, run) = await SeedAsync(provider);

        var pages = new List<TaskPage>();
        for (var page = 1; page <= 4; page++)
        {
            pages.Add((await reader.GetTasksAsync(run, new TaskQuery(Page: page, PageSize: 128)))!);
        }

        Assert.All(pages, p => Assert.Equal(Tasks, p.Total));
        Assert.Equal([128, 128, 44, 0], pages.Select(p => p.Items.Count));
        Assert.Equal(Enumerable.Range(0, Tasks), pages.SelectMany(p => p.Items).Select(t => t.Index));
        var byId = (await reader.GetTasksAsync(run, new TaskQuery(Order: TaskOrder.TaskId, Descending: true, PageSize: 3)))!;
        Assert.Equal([TestRuns.WideTaskId(Tasks - 1), TestRuns.WideTaskId(Tasks - 2), TestRuns.WideTaskId(Tasks - 3)], byId.Items.Select(t => t.TaskId));
        var failedFirst = (await reader.GetTasksAsync(run, new TaskQuery(Order: TaskOrder.State, PageSize: 2)))!;
        Assert.Equal([TaskState.Done, TaskState.Done], failedFirst.Items.Select(t => t.State)); // by the state's name: Done < Failed < UpstreamFailed
        Assert.Equal([52, 53], failedFirst.Items.Select(t => t.Index));
        Assert.Equal(TaskQuery.MaxPageSize, (await reader.GetTasksAsync(run, new TaskQuery(PageSize: int.MaxValue)))!.PageSize);
        Assert.Null(await reader.GetTasksAsync(Guid.NewGuid(), new TaskQuery()));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Tasks_FilterByStateFamilyAndText_AndCountsByStateAndFamilyCoverTheRun(StoreProvider provider)
    {
        var (reader, run) = await SeedAsync(provider);

        var failed = (await reader.GetTasksAsync(run, new TaskQuery(State: TaskState.Failed)))!;
        var loads = (await reader.GetTasksAsync(run, new TaskQuery(Family: "Load", PageSize: 10)))!;
        var text = (await reader.GetTasksAsync(run, new TaskQuery(Text: "REPORT(PART=0029")))!;
        var counts = (await reader.GetCountsAsync(run))!;

        Assert.Equal(["Extract(part=00000)", "Extract(part=00001)"], failed.Items.Select(t => t.TaskId));
        Assert.Equal((50, 10), (loads.Total, loads.Items.Count));
        Assert.Equal(Enumerable.Range(290, 10), text.Items.Select(t => t.Index));
        Assert.Equal(new Dictionary<TaskState, int> { [TaskState.Failed] = 2, [TaskState.UpstreamFailed] = 50, [TaskState.Done] = Tasks - 52 },
            counts.ByState);
        Assert.Equal(["Report", "Load", "Extract"], counts.ByFamily.Keys);
        Assert.Equal(Tasks, counts.ByFamily.Values.Sum());
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Run_ReadAPageAtATime_CountsEveryTaskAndHoldsThePagesTasksWithTheEdgesIntoThem(StoreProvider provider)
    {
        var (reader, run) = await SeedAsync(provider);

        var page = (await reader.GetAsync(run, 1, 30))!;
        var whole = (await reader.GetAsync(run))!;

        Assert.Equal((Tasks, 30, false), (page.TaskTotal, page.Tasks.Count, page.HasAllTasks));
        Assert.Equal(Tasks - 52, page.Counts[TaskState.Done]);
        Assert.Equal(Enumerable.Range(2, 28), page.Edges.Select(e => e.To).Order());
        Assert.Equal((Tasks, true, 50), (whole.Tasks.Count, whole.HasAllTasks, whole.Edges.Count));
        Assert.Empty((await reader.GetAsync(run, 11, 30))!.Tasks);
        var countsOnly = (await reader.GetAsync(run, 1, 30, wholeOrNone: true))!;
        Assert.Equal((0, Tasks, 50), (countsOnly.Tasks.Count, countsOnly.TaskTotal, countsOnly.Counts[TaskState.UpstreamFailed]));
        Assert.Equal(Tasks, (await reader.GetAsync(run, 1, Tasks, wholeOrNone: true))!.Tasks.Count);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task RootCauses_TwoFailuresBlockingFifty_AreCountedInSqlAndListBoundedly(StoreProvider provider)
    {
        var (reader, run) = await SeedAsync(provider);

        var causes = (await reader.GetRootCausesAsync(run, listed: 5))!;

        Assert.Equal((50, 0), (causes.BlockedTotal, causes.UnattributedBlocked));
        Assert.Equal([("Extract(part=00000)", 40), ("Extract(part=00001)", 10)], causes.Failures.Select(f => (f.TaskId, f.BlockedCount)));
        Assert.Equal(Enumerable.Range(2, 5), causes.Failures[0].Blocked.Select(b => b.Index));
        Assert.Equal(Enumerable.Range(42, 5), causes.Failures[1].Blocked.Select(b => b.Index));
        Assert.Equal(new Dictionary<string, int> { ["Load"] = 40 }, causes.Failures[0].BlockedByFamily);
        Assert.Equal("IOException: part 1 is missing", causes.Failures[1].ErrorSummary);
        Assert.Empty((await reader.GetRootCausesAsync(run, listed: 0))!.Failures[0].Blocked);
    }
}
