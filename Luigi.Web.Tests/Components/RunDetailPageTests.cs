using Bunit;
using Luigi.Engine;
using Luigi.Web.Components.Pages;
using Luigi.Web.Dashboard;
using Luigi.Web.Live;
using Luigi.Engine.ReadModel;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.Components;

public sealed class RunDetailPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private DashboardHarness _h = default!;

    public async Task InitializeAsync() => _h = await DashboardHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private IRenderedComponent<RunDetailPage> Open(Guid id, int? task = null)
    {
        var page = _h.Context.Render<RunDetailPage>(p => p.Add(x => x.RunId, id).Add(x => x.TaskIndex, task));
        page.WaitForElement("[data-testid=run-state]", Wait);
        return page;
    }

    private static string StateOf(IRenderedComponent<RunDetailPage> page, string taskId) =>
        page.Find($"[data-testid=task-row][data-task-id='{taskId}']").GetAttribute("data-state")!;

    private static string Count(IRenderedComponent<RunDetailPage> page, TaskState state) =>
        page.Find($"[data-testid=count-{state}]").GetAttribute("data-count")!;

    private static TaskChange Change(Guid run, int index, TaskState state, int attempt) =>
        new(run, index, TestRuns.Ids[index], state, attempt, 1, null, null, TestRuns.Start.AddMinutes(1), "host-1");

    [Fact]
    public async Task Open_ShowsTheRunStateEveryTaskAndTheCountsByState()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);

        var page = Open(id);

        Assert.Equal("Failed", page.Find("[data-testid=run-state] .state-badge").GetAttribute("data-state"));
        Assert.Equal(7, page.FindAll("[data-testid=task-row]").Count);
        Assert.Equal("UpstreamFailed", StateOf(page, "TaskG"));
        Assert.Equal("4", Count(page, TaskState.Done));
        Assert.Equal("2", Count(page, TaskState.UpstreamFailed));
        Assert.Contains("delayMs", page.Find("[data-testid=run-parameters]").TextContent);
    }

    [Fact]
    public async Task LiveChange_UpdatesTheRowAndTheCountsInPlace_AndAnOlderChangeIsIgnored()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running);
        var page = Open(id);
        Assert.Equal("Running", StateOf(page, "TaskC"));
        Assert.Equal("3", Count(page, TaskState.Done));

        await _h.Feed.PublishAsync(Change(id, 2, TaskState.Done, 1));
        page.WaitForAssertion(() => Assert.Equal("Done", StateOf(page, "TaskC")), Wait);
        Assert.Equal("4", Count(page, TaskState.Done));

        await _h.Feed.PublishAsync(Change(id, 2, TaskState.Running, 1), Change(id, 6, TaskState.Running, 1));
        page.WaitForAssertion(() => Assert.Equal("Running", StateOf(page, "TaskG")), Wait);
        Assert.Equal("Done", StateOf(page, "TaskC"));
        Assert.Equal("4", Count(page, TaskState.Done));
    }

    [Fact]
    public async Task BigRun_CountsEveryTask_ListsAPageAtATime_FiltersFailed_AndRecountsWhenATaskOffThePageChanges()
    {
        var tasks = LiveRun.WholeRunLimit + 100;
        var id = await TestRuns.SeedWideRunAsync(_h.Store, tasks);
        var page = Open(id);
        string[] Shown() => page.FindAll("[data-testid=task-row]").Select(r => r.GetAttribute("data-task-id")!).ToArray();
        page.WaitForAssertion(() => Assert.Equal(100, Shown().Length), Wait);

        Assert.Equal((tasks - 52).ToString(), Count(page, TaskState.Done));
        Assert.Equal(("2", "50"), (Count(page, TaskState.Failed), Count(page, TaskState.UpstreamFailed)));
        Assert.Equal($"1–100 of {tasks:N0} tasks", page.Find("[data-testid=task-count]").TextContent);
        page.Find("[data-testid=page-next]").Click();
        page.WaitForAssertion(() => Assert.Equal(TestRuns.WideTaskId(100), Shown()[0]), Wait);
        page.Find("[data-testid=filter-state]").Change(nameof(TaskState.Failed));
        page.WaitForAssertion(() => Assert.Equal([TestRuns.WideTaskId(0), TestRuns.WideTaskId(1)], Shown()), Wait);
        Assert.Equal($"1–2 of 2 matching, of {tasks:N0} tasks", page.Find("[data-testid=task-count]").TextContent);

        // A task the page holds no row for fails: the store has it, the live change only says something changed.
        var last = tasks - 1;
        await using (var context = _h.Store.CreateDbContext())
        {
            await context.RunTasks.Where(t => t.RunId == id && t.TaskIndex == last)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.State, TaskState.Failed).SetProperty(t => t.AttemptCount, 2));
        }

        await _h.Feed.PublishAsync(new TaskChange(id, last, TestRuns.WideTaskId(last), TaskState.Failed, 2, 1, null, null, TestRuns.Start.AddMinutes(9), "host-1"));
        page.WaitForAssertion(() => Assert.Equal(("3", (tasks - 53).ToString()), (Count(page, TaskState.Failed), Count(page, TaskState.Done))), Wait);

        // A task on the page changes in place, and the counts with it.
        await _h.Feed.PublishAsync(new TaskChange(id, 0, TestRuns.WideTaskId(0), TaskState.Done, 3, 1, null, null, TestRuns.Start.AddMinutes(10), "host-1"));
        page.WaitForAssertion(() => Assert.Equal("Done", page.Find($"[data-testid=task-row][data-task-id='{TestRuns.WideTaskId(0)}']").GetAttribute("data-state")), Wait);
        page.WaitForAssertion(() => Assert.Equal("2", Count(page, TaskState.Failed)), Wait);

        // Text in the task id, ignoring case, over the whole run.
        page.Find("[data-testid=filter-state]").Change("");
        page.Find("[data-testid=filter-text]").Change("report(part=0509");
        page.WaitForAssertion(() => Assert.Equal(Enumerable.Range(5090, 10).Select(TestRuns.WideTaskId), Shown()), Wait);
        Assert.Equal($"1–10 of 10 matching, of {tasks:N0} tasks", page.Find("[data-testid=task-count]").TextContent);
    }

    [Fact]
    public async Task LiveChangesOfAnotherRun_LeaveThePageAlone()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running);
        var page = Open(id);

        await _h.Feed.PublishAsync(Change(Guid.NewGuid(), 2, TaskState.Failed, 5), Change(id, 6, TaskState.Running, 1));

        page.WaitForAssertion(() => Assert.Equal("Running", StateOf(page, "TaskG")), Wait);
        Assert.Equal("Running", StateOf(page, "TaskC"));
    }

    [Fact]
    public async Task RunChange_UpdatesTheHeaderState()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running);
        var page = Open(id);

        await _h.Feed.PublishAsync(new LiveBatch([], [new LiveRunChange(id, "ComplexExample", RunState.Failed, TestRuns.Start.AddMinutes(2))], false));

        page.WaitForAssertion(() => Assert.Equal("Failed", page.Find("[data-testid=run-state] .state-badge").GetAttribute("data-state")), Wait);
        Assert.NotEqual("—", page.Find("[data-testid=run-finished]").TextContent);
    }

    [Fact]
    public async Task Resync_ReadsTheRunAgainFromTheStore()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running);
        var page = Open(id);
        await using (var context = _h.Store.CreateDbContext())
        {
            await context.RunTasks.Where(t => t.RunId == id && t.TaskIndex == 2)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, TaskState.Failed));
        }

        await _h.Feed.PublishAsync(new LiveBatch([], [], Resync: true));

        page.WaitForAssertion(() => Assert.Equal("Failed", StateOf(page, "TaskC")), Wait);
    }

    [Fact]
    public async Task ATaskWaitingForItsData_IsLabelledSoInItsRowAndDetails_WithItsNextCheckAndWhenItGivesUp()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running); // TaskD waits (RetryWaiting)
        var (next, until) = (TestRuns.Start.AddMinutes(5), TestRuns.Start.AddHours(6));
        await using (var context = _h.Store.CreateDbContext())
        {
            await context.RunTasks.Where(t => t.RunId == id && t.TaskIndex == 3).ExecuteUpdateAsync(t => t
                .SetProperty(x => x.NotBefore, next).SetProperty(x => x.BlockedBy, WaitingForData.Text(until))
                .SetProperty(x => x.ErrorSummary, "TaskD has not arrived yet: vendor.csv"));
        }

        var page = Open(id, task: 3);

        var details = page.WaitForElement("[data-testid=details-waiting-for-data]", Wait).TextContent;
        Assert.Contains("TaskD has not arrived yet: vendor.csv", details);
        Assert.Contains($"Next check at {Format.Time(next)}; gives up at {Format.Time(until)}", details);
        Assert.Equal(StateStyle.WaitingForData, page.Find("[data-testid=task-details] header .state-badge").TextContent);
        var row = page.Find("[data-testid=task-row][data-task-id=TaskD]");
        Assert.Equal(StateStyle.WaitingForData, row.QuerySelector(".state-badge")!.TextContent);
        Assert.Equal($"gives up {Format.Time(until)}", row.QuerySelector("[data-testid=gives-up]")!.TextContent);
    }

    [Fact]
    public async Task TaskDeepLink_ShowsHistoryAttemptErrorsLogLinesEscaped_AndOutputs()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);

        var page = Open(id, task: 3);

        var details = page.WaitForElement("[data-testid=task-details]", Wait);
        Assert.Equal("TaskD", details.GetAttribute("data-task-id"));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=attempt-error]").Count), Wait);
        Assert.Contains("at Seed.TaskD.RunAsync()", page.Find("[data-testid=attempt-error]").TextContent);
        var lines = page.FindAll("[data-testid=log-line]");
        Assert.Equal(2, lines.Count);
        Assert.Contains("TaskD working <b>hard</b>", lines[0].TextContent);
        Assert.Empty(page.FindAll("[data-testid=log-line] b"));
        var history = page.Find("[data-testid=history]").TextContent;
        Assert.Contains("Attempt 1 failed", history);
        Assert.Contains("Waiting to retry", history);
        page.WaitForElement("[data-testid=outputs-none]", Wait);
    }

    [Fact]
    public async Task ClickingARow_OpensThatTasksDetailsAtItsOwnAddress()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);
        var page = Open(id);

        page.Find("[data-task-id=TaskE]").Click();

        Assert.EndsWith($"/runs/{id}/tasks/4", _h.Navigation.Uri);
    }

    [Fact]
    public async Task QueuedRun_SaysItHasNoTasksYet_AndShowsThemOnceItRuns()
    {
        var id = await TestRuns.SeedQueuedRunAsync(_h.Store, "ComplexExample", TestRuns.Start, []);
        var page = Open(id);
        Assert.Contains("the run is queued", page.Find("[data-testid=no-tasks]").TextContent);
        await using (var context = _h.Store.CreateDbContext())
        {
            await context.Runs.Where(r => r.Id == id).ExecuteDeleteAsync();
        }

        var resolved = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running, TestRuns.Start, id);
        await _h.Feed.PublishAsync(new LiveBatch([], [new LiveRunChange(resolved, "ComplexExample", RunState.Running, TestRuns.Start)], false));

        page.WaitForAssertion(() => Assert.Equal(7, page.FindAll("[data-testid=task-row]").Count), Wait);
        Assert.Equal("Running", page.Find("[data-testid=run-state] .state-badge").GetAttribute("data-state"));
    }

    [Fact]
    public void UnknownRun_SaysSo()
    {
        var page = _h.Context.Render<RunDetailPage>(p => p.Add(x => x.RunId, Guid.NewGuid()));

        page.WaitForElement("[data-testid=run-missing]", Wait);
    }

    [Fact]
    public async Task Tabs_MountTheGraphAndTheTimelineOfThisRun()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);
        var module = _h.Context.JSInterop.SetupModule("./js/dashboard.js");
        module.Mode = JSRuntimeMode.Loose;
        var page = Open(id);

        page.Find("[data-testid=tab-graph]").Click();
        page.WaitForElement("[data-testid=graph]", Wait);
        page.WaitForAssertion(() => Assert.Single(module.Invocations, i => i.Identifier == "mountGraph"), Wait);
        page.Find("[data-testid=tab-timeline]").Click();

        page.WaitForElement("[data-testid=timeline]", Wait);
        page.WaitForAssertion(() => Assert.Single(module.Invocations, i => i.Identifier == "mountTimeline"), Wait);
    }
}
