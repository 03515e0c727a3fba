using Bunit;
using Luigi.Engine;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Components.Pages;
using Luigi.Web.Live;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Components;

public sealed class OverviewPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private DashboardHarness _h = default!;

    public async Task InitializeAsync() => _h = await DashboardHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static DateTime Now => TimeProvider.System.GetUtcNow().UtcDateTime;

    private IRenderedComponent<OverviewPage> Open()
    {
        var page = _h.Context.Render<OverviewPage>();
        page.WaitForElement("[data-testid=overview-counts]", Wait);
        return page;
    }

    [Fact]
    public async Task Overview_ShowsEachResourcesUse_WhoHoldsIt_AndWhatWaitsForIt()
    {
        _h.EngineOptions.Resources["warehouse"] = 1;
        _h.EngineOptions.Resources["printer"] = 3;
        var id = Guid.NewGuid();
        await using (var context = _h.Store.CreateDbContext())
        {
            context.Runs.Add(new RunRecord
            {
                Id = id, Pipeline = "Loads", Trigger = RunTrigger.Api, State = RunState.Running, CreatedAt = Now, StartedAt = Now, TaskCount = 2, UnfinishedCount = 2,
            });
            context.RunTasks.Add(new RunTaskRecord
            {
                RunId = id, TaskIndex = 0, TaskId = "Load(table=orders)", Family = "Load", State = TaskState.Running, AttemptCount = 1, StartedAt = Now,
                HostId = "host-1", Resources = """{"warehouse":1}""",
            });
            context.RunTasks.Add(new RunTaskRecord
            {
                RunId = id, TaskIndex = 1, TaskId = "Load(table=<b>items</b>)", Family = "Load", State = TaskState.Pending, Resources = """{"warehouse":1}""",
            });
            await context.SaveChangesAsync();
        }

        var page = Open();

        var warehouse = page.Find("[data-testid=resource][data-resource=warehouse]");
        Assert.Equal(("1", "1", "1"), (warehouse.GetAttribute("data-used"), warehouse.GetAttribute("data-total"), warehouse.GetAttribute("data-waiting")));
        Assert.Contains("1 of 1", warehouse.TextContent);
        Assert.Contains("Load(table=orders)", warehouse.Children[2].TextContent);
        Assert.Contains("Load(table=<b>items</b>)", warehouse.Children[3].TextContent); // shown as text, never as markup
        Assert.Empty(warehouse.QuerySelectorAll("b"));
        var printer = page.Find("[data-testid=resource][data-resource=printer]");
        Assert.Equal(("0", "3", "0"), (printer.GetAttribute("data-used"), printer.GetAttribute("data-total"), printer.GetAttribute("data-waiting")));
    }

    [Fact]
    public async Task Overview_CountsTasksByState_ShowsRunningRunsWithProgress_AndLinksFailuresToTheirTask()
    {
        var failed = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Failed, Now.AddMinutes(-30));
        var running = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running, Now.AddMinutes(-5));

        var page = Open();

        Assert.Equal("7", page.Find("[data-testid=count-Done]").GetAttribute("data-count"));
        Assert.Equal("1", page.Find("[data-testid=count-Running]").GetAttribute("data-count"));
        var active = Assert.Single(page.FindAll("[data-testid=active-run]"));
        Assert.Equal(running.ToString(), active.GetAttribute("data-run-id"));
        Assert.Contains("3 / 7", active.QuerySelector("[data-testid=run-progress]")!.TextContent);
        var failure = Assert.Single(page.FindAll("[data-testid=failure]"));
        Assert.Equal($"/runs/{failed}/tasks/3", failure.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("TaskD failed on purpose", failure.TextContent);
    }

    [Fact]
    public async Task PipelineStrip_ShowsTheLastRunsAsMarksOldestFirst_TheLastDurationWithATrend_AndWhatRunsNow()
    {
        var first = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Failed, Now.AddHours(-3));
        var second = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Succeeded, Now.AddHours(-2));
        var third = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running, Now.AddMinutes(-5));

        var page = Open();

        var strip = page.Find("[data-testid=pipeline-strip][data-pipeline=ComplexExample]");
        var marks = strip.QuerySelectorAll("[data-testid=run-mark]");
        Assert.Equal(["Failed", "Succeeded", "Running"], marks.Select(m => m.GetAttribute("data-state")));
        Assert.Equal([$"/runs/{first}", $"/runs/{second}", $"/runs/{third}"], marks.Select(m => m.GetAttribute("href")));
        Assert.Equal("8.0 s", strip.QuerySelector("[data-testid=last-duration]")!.TextContent.Trim());
        Assert.NotNull(strip.QuerySelector("[data-testid=duration-trend] polyline"));
        Assert.Contains("1", strip.QuerySelector("[data-testid=running-now]")!.TextContent);
        Assert.Equal("/runs?failed=24h", page.Find("[data-testid=failed-24h]").GetAttribute("href"));
    }

    [Fact]
    public async Task Hosts_ShowTheirWorkers_AndStoppedOrSilentHostsAreMarked()
    {
        await using (var context = _h.Store.CreateDbContext())
        {
            context.Hosts.AddRange(
                new HostRecord { Id = "alive:1", Name = "alive", Workers = 4, StartedAt = Now.AddHours(-1), HeartbeatAt = Now.AddSeconds(-2) },
                new HostRecord { Id = "silent:2", Name = "silent", Workers = 2, StartedAt = Now.AddHours(-1), HeartbeatAt = Now.AddMinutes(-10) },
                new HostRecord { Id = "gone:3", Name = "gone", Workers = 2, StartedAt = Now.AddHours(-2), HeartbeatAt = Now.AddHours(-1), StoppedAt = Now.AddHours(-1) });
            await context.SaveChangesAsync();
        }

        var page = Open();

        string StatusOf(string id) => page.Find($"[data-testid=host][data-host-id='{id}']").GetAttribute("data-status")!;
        Assert.Equal("alive", StatusOf("alive:1"));
        Assert.Equal("stale", StatusOf("silent:2"));
        Assert.Equal("stopped", StatusOf("gone:3"));
        Assert.Contains("4", page.Find("[data-testid=host][data-host-id='alive:1']").TextContent);
    }

    [Fact]
    public async Task ALiveBatch_ReadsTheOverviewAgain()
    {
        var page = Open();
        Assert.NotNull(page.Find("[data-testid=no-active-runs]"));
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running, Now);

        await _h.Feed.PublishAsync(new LiveBatch([], [new LiveRunChange(id, "ComplexExample", RunState.Running, Now)], false));

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=active-run]")), Wait);
    }

    [Fact]
    public void Overview_ShowsHowLongRunsAreKept()
    {
        Assert.Contains("retention is off", Open().Find("[data-testid=retention]").TextContent);
    }

    [Fact]
    public void Overview_ShowsTheRetentionInDays_WhenItIsOn()
    {
        _h.Retention.Days = 30;

        Assert.Contains("kept for 30 days", Open().Find("[data-testid=retention]").TextContent);
    }

    [Fact]
    public async Task ALiveBatch_WhileTheStoreIsUnreachable_KeepsWhatWasRead_AndSaysSo()
    {
        await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running, Now.AddMinutes(-5));
        var page = Open();
        Assert.Empty(page.FindAll("[data-testid=store-unreachable]"));
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(_h.Store.ConnectionString).DataSource;
        var moved = file + ".away";
        File.Move(file, moved);
        Directory.CreateDirectory(file); // the database file cannot be opened: SQLite's CANTOPEN
        try
        {
            await _h.Feed.PublishAsync(new LiveBatch([], [new LiveRunChange(Guid.NewGuid(), "ComplexExample", RunState.Running, Now)], false));

            page.WaitForElement("[data-testid=store-unreachable]", Wait);
            Assert.Single(page.FindAll("[data-testid=active-run]")); // what was read before stays
        }
        finally
        {
            Directory.Delete(file);
            File.Move(moved, file);
        }

        await _h.Feed.PublishAsync(new LiveBatch([], [new LiveRunChange(Guid.NewGuid(), "ComplexExample", RunState.Running, Now)], false));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=store-unreachable]")), Wait);
    }
}
