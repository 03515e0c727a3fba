using Bunit;
using Luigi.Web.Auth;
using Luigi.Web.Components.Pages;
using Luigi.Web.Components.Pipelines;
using Luigi.Web.Components.Runs;
using Luigi.Web.Components.Shared;
using Luigi.Web.Dashboard;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Tests.Components;

/// <summary>
/// What a Viewer sees: no button to trigger, re-run or cancel, no test e-mail; and, should a handler run anyway (a page
/// opened as an Operator whose role was lowered since), the handler refuses on the server and says why.
/// </summary>
public sealed class ViewerTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private DashboardHarness _h = default!;

    public async Task InitializeAsync() => _h = await DashboardHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<List<RunListItem>> RunsAsync() => [.. (await _h.Reader.ListAsync(new RunFilter())).Items];

    [Fact]
    public async Task FinishedRun_ShowsAViewerNoReRunButtons_NorInATasksDetails()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);
        _h.SignIn("vera", LuigiRoles.Viewer);

        var page = _h.Context.Render<RunDetailPage>(p => p.Add(x => x.RunId, id).Add(x => x.TaskIndex, 0));

        page.WaitForElement("[data-testid=task-details]", Wait);
        Assert.Empty(page.FindAll("[data-testid=run-actions]"));
        Assert.Empty(page.FindAll("[data-testid=rerun-all], [data-testid=rerun-failed], [data-testid=rerun-task]"));
    }

    [Fact]
    public async Task RunningRun_ShowsAViewerNoCancelButton_ButAnOperatorOne()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running);
        _h.SignIn("vera", LuigiRoles.Viewer);
        var page = _h.Context.Render<RunDetailPage>(p => p.Add(x => x.RunId, id));
        page.WaitForElement("[data-testid=run-state]", Wait);
        Assert.Empty(page.FindAll("[data-testid=cancel-run]"));

        _h.SignIn("olga", LuigiRoles.Operator);
        page.WaitForElement("[data-testid=cancel-run]", Wait);
    }

    [Fact]
    public void Pipeline_ShowsAViewerANoteInsteadOfTheTriggerForm()
    {
        _h.Context.JSInterop.SetupModule("./js/dashboard.js").Mode = JSRuntimeMode.Loose;
        _h.SignIn("vera", LuigiRoles.Viewer);

        var page = _h.Context.Render<PipelinesPage>(p => p.Add(x => x.Name, nameof(FormPipeline)));

        Assert.Equal("Viewers can see pipelines but not run them; ask an administrator for the Operator role.",
            page.Find("[data-testid=trigger-not-allowed]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=trigger-form], [data-testid=trigger]"));
    }

    [Fact]
    public void EmailPanel_ShowsAViewerTheStatusButNoTestEmail()
    {
        _h.SignIn("vera", LuigiRoles.Viewer);

        var panel = _h.Context.Render<EmailPanel>();

        panel.WaitForElement("[data-testid=email-pending]", Wait);
        Assert.Empty(panel.FindAll("[data-testid=email-test-form], [data-testid=send-test-email]"));
    }

    [Fact]
    public async Task Cancel_ConfirmedAfterTheRoleWasLowered_IsRefused_AndTheRunGoesOn()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store, RunState.Running);
        var run = new LiveRun((await _h.Reader.GetAsync(id))!);
        var button = _h.Context.Render<CancelRunButton>(p => p.Add(x => x.Run, run));
        button.Find("[data-testid=cancel-run]").Click();

        _h.SignIn("olga", LuigiRoles.Viewer);
        button.Find("[data-testid=confirm]").Click();

        button.WaitForAssertion(() => Assert.Equal("You may not cancel runs: that needs the Operator role. Ask an administrator.",
            button.Find("[data-testid=action-error]").TextContent), Wait);
        Assert.Equal(RunState.Running, (await _h.Reader.GetAsync(id))!.Run.State);
    }

    [Fact]
    public async Task Rerun_ConfirmedAfterTheRoleWasLowered_IsRefused_AndQueuesNothing()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);
        var run = new LiveRun((await _h.Reader.GetAsync(id))!);
        var button = _h.Context.Render<RerunButton>(p => p.Add(x => x.Run, run).Add(x => x.Scope, RerunScope.All).Add(x => x.Label, "Re-run all").Add(x => x.TestId, "rerun-all"));
        button.Find("[data-testid=rerun-all]").Click();

        _h.SignIn("olga", LuigiRoles.Viewer);
        button.Find("[data-testid=confirm]").Click();

        button.WaitForAssertion(() => Assert.Contains("You may not re-run runs", button.Find("[data-testid=action-error]").TextContent), Wait);
        Assert.Single(await RunsAsync());
    }

    [Fact]
    public async Task Trigger_SubmittedByAViewer_IsRefused_AndQueuesNothing()
    {
        _h.SignIn("olga", LuigiRoles.Viewer);
        var form = _h.Context.Render<TriggerForm>(p => p.Add(f => f.Pipeline, _h.Pipelines.Find(nameof(FormPipeline))!));

        form.Find("[data-testid=param-day]").Change("2026-11-20");
        form.Find("[data-testid=trigger-form]").Submit();

        form.WaitForAssertion(() => Assert.Contains("You may not trigger runs", form.Find("[data-testid=form-error]").TextContent), Wait);
        Assert.Empty(await RunsAsync());
    }

    [Fact]
    public void TestEmail_SentByAViewer_IsRefused_AndQueuesNothing()
    {
        _h.SignIn("olga", LuigiRoles.Viewer);
        var form = _h.Context.Render<EmailTestForm>();

        form.Find("[data-testid=email-test-form]").Submit();

        form.WaitForAssertion(() => Assert.Contains("You may not send the test e-mail", form.Find("[data-testid=email-test-outcome]").TextContent), Wait);
        var panel = _h.Context.Render<EmailPanel>();
        panel.WaitForAssertion(() => Assert.Equal("0", panel.Find("[data-testid=email-pending]").TextContent), Wait);
    }
}
