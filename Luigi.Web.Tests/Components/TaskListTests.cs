using AngleSharp.Dom;
using Bunit;
using Luigi.Engine;
using Luigi.Web.Components.Runs;
using Luigi.Web.Dashboard;
using Luigi.Web.Live;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.Components;

public sealed class TaskListTests : IAsyncDisposable
{
    private readonly BunitContext _context = new();

    public TaskListTests() => _context.JSInterop.Mode = JSRuntimeMode.Loose;

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    /// <summary>A run read from the store, built in memory: the list only shows it.</summary>
    private static LiveRun Run(int count, Func<int, TaskState>? state = null)
    {
        var tasks = Enumerable.Range(0, count).Select(i => new TaskView(
            i, $"Load(part={i:0000})", "Load", new Dictionary<string, string>(), false, state?.Invoke(i) ?? TaskState.Done, i % 3,
            TestRuns.Start.AddSeconds(i), TestRuns.Start.AddSeconds(2 * i + 1), "host", 1, null, null, [])).ToList();
        var run = new RunListItem(Guid.NewGuid(), "Bulk", RunState.Running, RunTrigger.Api, null, TestRuns.Start, TestRuns.Start, null, count, 0, null, null, null);
        return new LiveRun(new RunDetail(run, new Dictionary<string, string>(), null, new Dictionary<TaskState, int>(), tasks, []));
    }

    private IRenderedComponent<TaskList> Render(LiveRun run, Action<int>? onSelect = null) =>
        _context.Render<TaskList>(p => p.Add(l => l.Run, run).Add(l => l.Now, TestRuns.Start.AddHours(1))
            .Add(l => l.OnSelect, i => onSelect?.Invoke(i)));

    private static string[] Shown(IRenderedComponent<TaskList> list) =>
        list.FindAll("[data-testid=task-row]").Select(r => r.GetAttribute("data-task-id")!).ToArray();

    [Fact]
    public void FilterByState_ShowsOnlyTasksInThatState()
    {
        var list = Render(Run(9, i => i % 3 == 0 ? TaskState.Failed : TaskState.Done));

        list.Find("[data-testid=filter-state]").Change(nameof(TaskState.Failed));

        Assert.Equal(["Load(part=0000)", "Load(part=0003)", "Load(part=0006)"], Shown(list));
        Assert.All(list.FindAll("[data-testid=task-row]"), r => Assert.Equal("Failed", r.GetAttribute("data-state")));
        Assert.Equal("3 of 9 tasks", list.Find("[data-testid=task-count]").TextContent);
    }

    [Fact]
    public void ATaskWaitingForItsData_ShowsItsNextCheck()
    {
        var next = TestRuns.Start.AddMinutes(5);
        var view = new TaskView(0, "VendorDrop(date=2026-11-26)", "VendorDrop", new Dictionary<string, string>(), true, TaskState.RetryWaiting, 1,
            TestRuns.Start, null, "host", null, "VendorDrop(date=2026-11-26) has not arrived yet: vendor.csv; next check at 2026-11-26 09:05:00Z", null, [])
        {
            NextAttemptAt = next,
        };
        var run = new LiveRun(new RunDetail(
            new RunListItem(Guid.NewGuid(), "Vendor", RunState.Running, RunTrigger.Api, null, TestRuns.Start, TestRuns.Start, null, 1, 1, null, null, null),
            new Dictionary<string, string>(), null, new Dictionary<TaskState, int>(), [view], []));

        var list = Render(run);

        Assert.Equal($"next {Format.Time(next)}", list.Find("[data-testid=next-attempt]").TextContent);
    }

    [Fact]
    public void ATaskWaitingForItsData_IsLabelledSo_WithItsNextCheckAndDeadline_ButATaskWaitingToRetryIsNot()
    {
        var (next, until) = (TestRuns.Start.AddMinutes(5), TestRuns.Start.AddHours(6));
        TaskView Waiting(int index, string id, string? blockedBy) => new(index, id, "Drop", new Dictionary<string, string>(), true, TaskState.RetryWaiting, 1,
            TestRuns.Start, null, "host", null, $"{id} has not arrived yet", blockedBy, []) { NextAttemptAt = next };
        var run = new LiveRun(new RunDetail(
            new RunListItem(Guid.NewGuid(), "Vendor", RunState.Running, RunTrigger.Api, null, TestRuns.Start, TestRuns.Start, null, 2, 2, null, null, null),
            new Dictionary<string, string>(), null, new Dictionary<TaskState, int>(),
            [Waiting(0, "VendorDrop", WaitingForData.Text(until)), Waiting(1, "Flaky", null)], []));

        var list = Render(run);

        IElement Row(string id) => list.Find($"[data-testid=task-row][data-task-id={id}]");
        Assert.Equal(StateStyle.WaitingForData, Row("VendorDrop").QuerySelector(".state-badge")!.TextContent);
        Assert.Equal($"next {Format.Time(next)}", Row("VendorDrop").QuerySelector("[data-testid=next-attempt]")!.TextContent);
        Assert.Equal($"gives up {Format.Time(until)}", Row("VendorDrop").QuerySelector("[data-testid=gives-up]")!.TextContent);
        Assert.Equal("Retry waiting", Row("Flaky").QuerySelector(".state-badge")!.TextContent);
        Assert.Null(Row("Flaky").QuerySelector("[data-testid=gives-up]"));

        // The next check's live change says it still waits for data: the label stays.
        var nextCheck = next.AddMinutes(5);
        var check = new TaskChange(run.Id, 0, "VendorDrop", TaskState.RetryWaiting, 2, null, "VendorDrop has not arrived yet", WaitingForData.Text(until), next)
        {
            NextAttemptAt = nextCheck,
        };
        run.Apply(new LiveBatch([check], [], Resync: false));
        list.Render();
        Assert.Equal(StateStyle.WaitingForData, Row("VendorDrop").QuerySelector(".state-badge")!.TextContent);
        Assert.Equal($"gives up {Format.Time(until)}", Row("VendorDrop").QuerySelector("[data-testid=gives-up]")!.TextContent);
        Assert.Equal($"next {Format.Time(nextCheck)}", Row("VendorDrop").QuerySelector("[data-testid=next-attempt]")!.TextContent);
    }

    [Fact]
    public void AChangeOfATaskTheRunFoundAtRunTime_HasThePageReadTheRunAgain()
    {
        var run = Run(3);
        var found = new TaskChange(run.Id, 3, "Clean(file=a.csv)", TaskState.Pending, 0, null, null, null, TestRuns.Start);

        Assert.Equal(LiveApply.Reload, run.Apply(new LiveBatch([found], [], Resync: false))); // the list and the graph get the new task and its edges
    }

    [Fact]
    public void FilterByText_MatchesTaskIdsIgnoringCase()
    {
        var list = Render(Run(30));

        list.Find("[data-testid=filter-text]").Input("PART=001");

        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"Load(part={i:0000})"), Shown(list));
    }

    [Fact]
    public void SortByDuration_TwiceGivesLongestFirst()
    {
        var list = Render(Run(5));

        list.Find("[data-testid=sort-duration]").Click();
        Assert.Equal("Load(part=0000)", Shown(list)[0]);
        list.Find("[data-testid=sort-duration]").Click();

        Assert.Equal("Load(part=0004)", Shown(list)[0]);
        Assert.Equal("descending", list.Find("[data-testid=sort-duration]").GetAttribute("aria-sort"));
    }

    [Fact]
    public void FiveThousandTasks_RenderOnlyAWindowOfRows()
    {
        var list = Render(Run(5000));

        var rows = list.FindAll("[data-testid=task-row]").Count;

        Assert.True(rows < 200, $"{rows} rows rendered for 5,000 tasks");
        Assert.Equal("5000 of 5000 tasks", list.Find("[data-testid=task-count]").TextContent);
    }

    [Fact]
    public void ClickingARow_SelectsItsTask()
    {
        int? selected = null;
        var list = Render(Run(4), i => selected = i);

        list.Find("[data-task-id='Load(part=0002)']").Click();

        Assert.Equal(2, selected);
    }
}
