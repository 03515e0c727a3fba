using Bunit;
using Luigi.Web.Components.Pages;
using Luigi.Web.Live;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Components;

public sealed class RunsPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly DateTime Day = new(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc);
    private DashboardHarness _h = default!;
    private Guid _failed;
    private Guid _running;
    private Guid _sales;

    public async Task InitializeAsync()
    {
        _h = await DashboardHarness.CreateAsync();
        _failed = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Failed, Day.AddDays(-2));
        _running = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running, Day);
        _sales = await TestRuns.SeedQueuedRunAsync(_h.Store, "DailySales", Day.AddDays(1), new() { ["end"] = "2026-11-19", ["dataDir"] = "/srv/Sales_A" });
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private IRenderedComponent<RunsPage> Open(int pageSize = 50)
    {
        var page = _h.Context.Render<RunsPage>(p => p.Add(x => x.PageSize, pageSize));
        page.WaitForElement("[data-testid=runs]", Wait);
        return page;
    }

    private static string[] Shown(IRenderedComponent<RunsPage> page) =>
        page.FindAll("[data-testid=run-row]").Select(r => r.GetAttribute("data-run-id")!).ToArray();

    [Fact]
    public void List_ShowsNewestFirstWithStateBadges()
    {
        var page = Open();

        Assert.Equal([_sales.ToString(), _running.ToString(), _failed.ToString()], Shown(page));
        Assert.Equal("Failed", page.Find($"[data-run-id='{_failed}'] .state-badge").GetAttribute("data-state"));
    }

    [Fact]
    public void FilterByPipelineAndState_NarrowsTheList()
    {
        var page = Open();

        page.Find("[data-testid=filter-pipeline]").Change("ComplexExample");
        page.WaitForAssertion(() => Assert.Equal([_running.ToString(), _failed.ToString()], Shown(page)), Wait);
        page.Find("[data-testid=filter-run-state]").Change(nameof(RunState.Failed));

        page.WaitForAssertion(() => Assert.Equal([_failed.ToString()], Shown(page)), Wait);
    }

    [Fact]
    public void FilterByDays_KeepsRunsCreatedInThatRange()
    {
        var page = Open();

        page.Find("[data-testid=filter-from]").Change("2026-11-19");
        page.Find("[data-testid=filter-to]").Change("2026-11-20");

        page.WaitForAssertion(() => Assert.Equal([_running.ToString()], Shown(page)), Wait);
    }

    [Theory]
    [InlineData("taskd", "complex")]
    [InlineData("2026-11-19", "sales")]
    [InlineData("sales_a", "sales")]
    public void Search_FindsRunsByTaskIdOrParameterValue(string text, string expected)
    {
        var page = Open();

        page.Find("[data-testid=filter-search]").Input(text);
        page.Find("[data-testid=runs-filters]").Submit();

        string[] wanted = expected == "sales" ? [_sales.ToString()] : [_running.ToString(), _failed.ToString()];
        page.WaitForAssertion(() => Assert.Equal(wanted, Shown(page)), Wait);
    }

    [Fact]
    public void Paging_IsDoneByTheStore()
    {
        var page = Open(pageSize: 2);
        Assert.Equal(2, Shown(page).Length);
        Assert.Equal("Page 1 of 2 · 3 runs", page.Find("[data-testid=page-info]").TextContent);

        page.Find("[data-testid=page-next]").Click();

        page.WaitForAssertion(() => Assert.Equal([_failed.ToString()], Shown(page)), Wait);
    }

    [Fact]
    public async Task NewRun_AppearsWhenTheFeedReportsIt()
    {
        var page = Open();
        var id = await TestRuns.SeedQueuedRunAsync(_h.Store, "Sequence", Day.AddDays(3), []);

        await _h.Feed.PublishAsync(new LiveBatch([], [new LiveRunChange(id, "Sequence", RunState.Queued, Day.AddDays(3))], false));

        page.WaitForAssertion(() => Assert.Equal(id.ToString(), Shown(page)[0]), Wait);
    }

    [Fact]
    public async Task FailedInTheLast24Hours_ShowsOnlyRunsThatFailedSince_AndTheOverviewLinksToIt()
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var recent = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Failed, now.AddHours(-2));
        await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Succeeded, now.AddHours(-1));

        var page = Open();
        Assert.Equal(5, Shown(page).Length);
        page.Find("[data-testid=filter-failed-24h]").Change(true);
        page.WaitForAssertion(() => Assert.Equal([recent.ToString()], Shown(page)), Wait);

        // The overview's link, /runs?failed=24h, opens the list so filtered.
        _h.Navigation.NavigateTo("/runs?failed=24h");
        var linked = _h.Context.Render<RunsPage>();
        linked.WaitForAssertion(() => Assert.Equal([recent.ToString()], Shown(linked)), Wait);
        Assert.True(linked.Find("[data-testid=filter-failed-24h]").HasAttribute("checked"));
    }
}
