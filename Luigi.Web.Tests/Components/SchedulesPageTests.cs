using Bunit;
using Luigi.Engine.Execution;
using Luigi.Engine.Schedules;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Auth;
using Luigi.Web.Components.Pages;
using Luigi.Web.Components.Schedules;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Tests.Components;

/// <summary>The schedules page, its form and table, the pipeline page's schedules and backfill form, the overview's next fire times.</summary>
public sealed class SchedulesPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private DashboardHarness _h = default!;

    public async Task InitializeAsync()
    {
        _h = await DashboardHarness.CreateAsync();
        var module = _h.Context.JSInterop.SetupModule("./js/dashboard.js");
        module.Mode = JSRuntimeMode.Loose;
        module.Setup<string?>("viewerTimeZone").SetResult("America/New_York");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private Task<ScheduleView> SeedAsync(string name = "nightly", string cron = "0 6 * * *", string pipeline = nameof(FormPipeline)) =>
        _h.Schedules.CreateAsync(new ScheduleDefinition
        {
            Name = name, Pipeline = pipeline, Cron = cron, TimeZone = "UTC", FireTimeParameter = pipeline == nameof(FormPipeline) ? "day" : null,
            FireTimeOffset = pipeline == nameof(FormPipeline) ? "-1d" : null,
            Parameters = pipeline == nameof(FormPipeline) ? new Dictionary<string, string> { ["count"] = "5" } : new Dictionary<string, string>(),
        }, "olga", RunTrigger.Api);

    [Fact]
    public async Task Page_ListsEachSchedule_WithItsNextFireTimeInTheViewersZoneAndUtc_AndItsLastResult()
    {
        var seeded = await SeedAsync();

        var page = _h.Context.Render<SchedulesPage>();

        var row = page.WaitForElement("[data-testid=schedule][data-name=nightly]", Wait);
        Assert.Contains("0 6 * * *", row.TextContent);
        Assert.Contains("day = fire time -1d", row.TextContent);
        var utc = seeded.NextFireAt!.Value;
        page.WaitForAssertion(() => Assert.Equal(
            $"{TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")):yyyy-MM-dd HH:mm} America/New_York",
            page.Find("[data-name=nightly] [data-testid=fire-time-local]").TextContent.Trim()), Wait);
        Assert.Equal($"{utc.UtcDateTime:yyyy-MM-dd HH:mm} UTC", page.Find("[data-name=nightly] [data-testid=fire-time-utc]").TextContent.Trim());
        Assert.StartsWith("not fired yet", page.Find("[data-name=nightly] [data-testid=last-result]").TextContent.Trim());
    }

    [Fact]
    public async Task Form_MakesASchedule_WithTheTypedParameterFields_AndAuditsWhoMadeIt()
    {
        var page = _h.Context.Render<SchedulesPage>();
        page.Find("[data-testid=new-schedule]").Click();
        page.Find("[data-testid=schedule-name]").Change("daily-form");
        page.Find("[data-testid=schedule-pipeline]").Change(nameof(FormPipeline));
        page.Find("[data-testid=schedule-cron]").Change("30 2 * * *");
        page.Find("[data-testid=schedule-timeZone]").Change("Europe/Berlin");
        page.Find("[data-testid=schedule-fireTimeParameter]").Change("day");
        Assert.Empty(page.FindAll("[data-testid=schedule-param-day]")); // the fire time sets it
        Assert.Equal("number", page.Find("[data-testid=schedule-param-count]").GetAttribute("type"));
        page.Find("[data-testid=schedule-param-count]").Change("7");

        await page.Find("[data-testid=schedule-form]").SubmitAsync();

        page.WaitForElement("[data-testid=schedule][data-name=daily-form]", Wait);
        Assert.Empty(page.FindAll("[data-testid=schedule-form]"));
        var stored = (await _h.Schedules.GetAsync("daily-form"))!.Schedule;
        Assert.Equal(("30 2 * * *", "Europe/Berlin", "day", "-1d", "7"), (stored.Cron, stored.TimeZone, stored.FireTimeParameter, stored.FireTimeOffset, stored.Parameters["count"]));
        await using var context = _h.Store.CreateDbContext();
        var audit = await context.AuditEntries.SingleAsync(e => e.ScheduleName == "daily-form");
        Assert.Equal((DashboardHarness.OperatorName, AuditAction.ScheduleCreated, RunTrigger.Browser), (audit.Actor, audit.Action, audit.Via));
    }

    [Fact]
    public async Task Form_WithABadCronZoneAndParameter_ShowsEachProblemNextToItsField_AndStoresNothing()
    {
        var page = _h.Context.Render<SchedulesPage>();
        page.Find("[data-testid=new-schedule]").Click();
        page.Find("[data-testid=schedule-name]").Change("broken");
        page.Find("[data-testid=schedule-pipeline]").Change(nameof(FormPipeline));
        page.Find("[data-testid=schedule-cron]").Change("0 25 * * *");
        page.Find("[data-testid=schedule-timeZone]").Change("Atlantis/Capital");
        page.Find("[data-testid=schedule-fireTimeParameter]").Change("day");
        page.Find("[data-testid=schedule-param-count]").Change("many");

        await page.Find("[data-testid=schedule-form]").SubmitAsync();

        page.WaitForElement("[data-testid=error-cron]", Wait);
        Assert.Contains("'0 25 * * *' is not a valid cron expression", page.Find("[data-testid=error-cron]").TextContent);
        Assert.Contains("Unknown time zone 'Atlantis/Capital'", page.Find("[data-testid=error-timeZone]").TextContent);
        Assert.Empty(await _h.Schedules.ListAsync());
    }

    [Fact]
    public async Task PauseAndResume_ChangeTheStoredSchedule_AndDeleteAsksFirst()
    {
        await SeedAsync();
        var page = _h.Context.Render<SchedulesPage>();

        page.WaitForElement("[data-name=nightly] [data-testid=pause]", Wait).Click();
        page.WaitForElement("[data-name=nightly] [data-testid=paused]", Wait);
        Assert.True((await _h.Schedules.GetAsync("nightly"))!.Schedule.Paused);
        Assert.Equal("—", page.Find("[data-name=nightly] [data-testid=fire-time]").TextContent.Trim());

        page.Find("[data-name=nightly] [data-testid=resume]").Click();
        page.WaitForElement("[data-name=nightly] [data-testid=pause]", Wait);
        Assert.False((await _h.Schedules.GetAsync("nightly"))!.Schedule.Paused);

        page.Find("[data-name=nightly] [data-testid=delete]").Click();
        page.Find("[data-testid=confirm]").Click();
        page.WaitForElement("[data-testid=no-schedules]", Wait);
        Assert.Null(await _h.Schedules.GetAsync("nightly"));
    }

    [Fact]
    public async Task Edit_OpensTheFormWithTheStoredValues_AndSavesTheChange()
    {
        await SeedAsync();
        var page = _h.Context.Render<SchedulesPage>();

        page.WaitForElement("[data-name=nightly] [data-testid=edit]", Wait).Click();
        Assert.Equal("5", page.Find("[data-testid=schedule-param-count]").GetAttribute("value"));
        page.Find("[data-testid=schedule-cron]").Change("0 7 * * *");
        await page.Find("[data-testid=schedule-form]").SubmitAsync();

        page.WaitForAssertion(() => Assert.Contains("0 7 * * *", page.Find("[data-name=nightly]").TextContent), Wait);
        Assert.Equal("0 7 * * *", (await _h.Schedules.GetAsync("nightly"))!.Schedule.Cron);
    }

    [Fact]
    public async Task Viewer_SeesSchedulesButNoButtons_AndADeleteConfirmedAfterTheRoleWasLoweredIsRefused()
    {
        await SeedAsync();
        var page = _h.Context.Render<SchedulesPage>();
        page.WaitForElement("[data-name=nightly] [data-testid=delete]", Wait).Click();

        _h.SignIn("vera", LuigiRoles.Viewer); // the role was lowered while the dialog was open
        page.Find("[data-testid=confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains("needs the Operator role", page.Find("[data-testid=action-error]").TextContent), Wait);
        Assert.NotNull(await _h.Schedules.GetAsync("nightly"));
        var fresh = _h.Context.Render<SchedulesPage>();
        fresh.WaitForElement("[data-name=nightly]", Wait);
        Assert.Empty(fresh.FindAll("[data-testid=pause], [data-testid=edit], [data-testid=delete], [data-testid=new-schedule]"));
    }

    [Fact]
    public async Task PipelinePage_ShowsItsSchedules_AndStartsABackfillThatOpensItsProgress()
    {
        await SeedAsync();
        await SeedAsync("other", pipeline: "Sequence");

        var page = _h.Context.Render<PipelinesPage>(p => p.Add(x => x.Name, nameof(FormPipeline)));

        page.WaitForElement("[data-testid=pipeline-schedules] [data-name=nightly]", Wait);
        Assert.Empty(page.FindAll("[data-testid=pipeline-schedules] [data-name=other]"));
        page.Find("[data-testid=backfill-from]").Change("2026-11-01");
        page.Find("[data-testid=backfill-to]").Change("2026-11-10");
        page.Find("[data-testid=backfill-max]").Change("2");
        await page.Find("[data-testid=backfill-form]").SubmitAsync();

        page.WaitForAssertion(() => Assert.StartsWith("http://localhost/backfills/", _h.Navigation.Uri), Wait);
        var backfill = Assert.Single(await _h.Backfills.ListAsync());
        Assert.Equal(("day", 10, 2), (backfill.DateParameter, backfill.Progress.Dates, backfill.MaxConcurrentRuns));

        var progress = _h.Context.Render<BackfillPage>(p => p.Add(x => x.Id, backfill.Id));
        progress.WaitForAssertion(() => Assert.Equal(10, progress.FindAll("[data-testid=backfill-date]").Count), Wait);
        Assert.Contains("0 / 10", progress.Find("[data-testid=backfill-progress]").TextContent);
    }

    [Fact]
    public async Task BackfillForm_WithTheRangeReversed_SaysSoNextToTo_AndStartsNothing()
    {
        var form = _h.Context.Render<BackfillForm>(p => p.Add(x => x.Pipeline, _h.Pipelines.Find(nameof(FormPipeline))!));
        form.Find("[data-testid=backfill-from]").Change("2026-11-10");
        form.Find("[data-testid=backfill-to]").Change("2026-11-01");

        await form.Find("[data-testid=backfill-form]").SubmitAsync();

        form.WaitForAssertion(() => Assert.Contains("is before 'from'", form.Find("[data-testid=error-to]").TextContent), Wait);
        Assert.Empty(await _h.Backfills.ListAsync());
    }

    [Fact]
    public async Task Overview_ShowsWhatFiresNext()
    {
        await SeedAsync("later", "0 23 * * *");
        await SeedAsync("sooner", "* * * * *");

        var page = _h.Context.Render<OverviewPage>();

        page.WaitForAssertion(() => Assert.Equal(["sooner", "later"],
            page.FindAll("[data-testid=fires-next-item]").Select(i => i.GetAttribute("data-name"))), Wait);
    }
}
