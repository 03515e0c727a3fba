using Bunit;
using Luigi.Web.Components.Pages;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Tests.Components;

public sealed class RunActionsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private DashboardHarness _h = default!;

    public async Task InitializeAsync() => _h = await DashboardHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private IRenderedComponent<RunDetailPage> Open(Guid id, int? task = null)
    {
        var page = _h.Context.Render<RunDetailPage>(p => p.Add(x => x.RunId, id).Add(x => x.TaskIndex, task));
        page.WaitForElement("[data-testid=run-actions]", Wait);
        return page;
    }

    private static string[] Planned(IRenderedComponent<RunDetailPage> page) =>
        page.FindAll("[data-testid=plan-task]").Select(e => e.TextContent).ToArray();

    private async Task<List<RunListItem>> RerunsOfAsync(Guid id) =>
        (await _h.Reader.ListAsync(new RunFilter())).Items.Where(r => r.ParentRunId == id).ToList();

    [Fact]
    public async Task RerunFailed_ListsTheTasksThatDidNotSucceed_AndConfirmQueuesItAndOpensTheNewRun()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);
        var page = Open(id);

        page.Find("[data-testid=rerun-failed]").Click();
        Assert.Equal(["TaskD", "TaskE", "TaskG"], Planned(page));
        page.Find("[data-testid=confirm]").Click();

        var rerun = Assert.Single(await RerunsOfAsync(id));
        Assert.Equal(RerunScope.FailedOnly, rerun.RerunScope);
        Assert.Equal(RunTrigger.Rerun, rerun.Trigger);
        Assert.Equal(DashboardHarness.OperatorName, rerun.RequestedBy);
        page.WaitForAssertion(() => Assert.EndsWith($"/runs/{rerun.Id}", _h.Navigation.Uri), Wait);
    }

    [Fact]
    public async Task RerunFailed_CheckWhatWouldRun_ResolvesTheGraphWithoutRunning_ByFamily()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);
        var page = Open(id);

        page.Find("[data-testid=rerun-failed]").Click();
        page.Find("[data-testid=plan-rerun]").Click();

        // What succeeded is taken as complete, so the resolution stops at TaskC and TaskF; D, E and G would run.
        page.WaitForElement("[data-testid=dry-run-plan]", Wait);
        Assert.StartsWith("3 would run, 2 complete already", page.Find("[data-testid=plan-totals]").TextContent.Trim());
        var families = page.FindAll("[data-testid=plan-family]").ToDictionary(
            e => e.GetAttribute("data-family")!, e => (e.GetAttribute("data-would-run"), e.GetAttribute("data-complete")));
        Assert.Equal(("1", "0"), families["TaskD"]);
        Assert.Equal(("0", "1"), families["TaskC"]);
        Assert.False(families.ContainsKey("TaskA"));
        Assert.Empty(await RerunsOfAsync(id));
    }

    [Fact]
    public async Task RerunAll_SaysCompleteTasksAreSkipped_AndListsEveryTask()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);
        var page = Open(id);

        page.Find("[data-testid=rerun-all]").Click();

        Assert.Contains("complete tasks will be skipped", page.Find("[data-testid=confirm-dialog]").TextContent);
        Assert.Equal(TestRuns.Ids, Planned(page));
    }

    [Fact]
    public async Task RerunTask_FromItsDetails_ListsItAndItsDownstream_AndForcesThatTaskInTheSignedInUsersName()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);
        _h.SignIn("ana", Luigi.Web.Auth.LuigiRoles.Operator);
        var page = Open(id, task: 0);

        page.WaitForElement("[data-testid=rerun-task]", Wait).Click();
        Assert.Equal(["TaskA", "TaskC", "TaskG"], Planned(page));
        page.Find("[data-testid=confirm]").Click();

        var rerun = Assert.Single(await RerunsOfAsync(id));
        Assert.Equal(RerunScope.TaskAndDownstream, rerun.RerunScope);
        Assert.Equal("TaskA", rerun.RerunTaskId);
        Assert.Equal("ana", rerun.RequestedBy);
    }

    [Fact]
    public async Task Dismiss_ClosesTheQuestionAndQueuesNothing()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);
        var page = Open(id);

        page.Find("[data-testid=rerun-all]").Click();
        page.Find("[data-testid=dismiss]").Click();

        Assert.Empty(page.FindAll("[data-testid=confirm-dialog]"));
        Assert.Empty(await RerunsOfAsync(id));
    }

    [Fact]
    public async Task Cancel_WhileRunning_AsksFirstThenCancelsTheRun()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running);
        var page = Open(id);
        Assert.Empty(page.FindAll("[data-testid=rerun-all]"));

        page.Find("[data-testid=cancel-run]").Click();
        Assert.Contains("Cancel this run?", page.Find("[data-testid=confirm-dialog]").TextContent);
        page.Find("[data-testid=confirm]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=confirm-dialog]")), Wait);
        var state = (await _h.Reader.GetAsync(id))!.Run.State;
        Assert.Contains(state, new[] { RunState.Cancelling, RunState.Cancelled });
        page.WaitForAssertion(() => Assert.Equal(state.ToString(), page.Find("[data-testid=run-state] .state-badge").GetAttribute("data-state")), Wait);
    }

    [Fact]
    public async Task Cancel_OfARunThatFinishedMeanwhile_SaysSoInTheDialog()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running);
        var page = Open(id);
        await using (var context = _h.Store.CreateDbContext())
        {
            await context.Runs.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RunState.Succeeded));
        }

        page.Find("[data-testid=cancel-run]").Click();
        page.Find("[data-testid=confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains("already finished", page.Find("[data-testid=action-error]").TextContent), Wait);
    }
}
