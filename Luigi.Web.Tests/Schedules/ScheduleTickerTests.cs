using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Schedules;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Luigi.Web.Tests.Schedules;

/// <summary>Schedules ticking on a fake clock over a real store: fire times across DST, hosts, catch-up, pause and complete work.</summary>
public sealed class ScheduleTickerTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static string NewKey() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Tick_FiresOnceOnTheDaySpringForwardSkipsTheLocalTime_WithTheDayBeforeBound()
    {
        var harness = new ScheduleHarness(await _stores.CreateAsync(StoreProvider.Sqlite), new FakeTimeProvider(Utc("2026-03-27T12:00:00")));
        await harness.Schedules.CreateAsync(ScheduleHarness.Daily("berlin", NewKey(), "30 2 * * *", "Europe/Berlin"), "operator", RunTrigger.Api);

        for (var i = 0; i < 3; i++)
        {
            Assert.Single(await harness.TickAtNextFireTimeAsync());
        }

        var runs = await harness.RunsOfAsync("berlin");
        Assert.Equal([Utc("2026-03-28T01:30:00").UtcDateTime, Utc("2026-03-29T01:00:00").UtcDateTime, Utc("2026-03-30T00:30:00").UtcDateTime],
            runs.Select(r => r.FireAt));
        Assert.Equal(["2026-03-27", "2026-03-28", "2026-03-29"], runs.Select(r => r.Parameters["date"]));
        Assert.All(runs, r => Assert.Equal(RunTrigger.Schedule, r.Trigger));
    }

    [Fact]
    public async Task Tick_FiresOnceOnTheNightFallBackRepeatsTheLocalHour()
    {
        var harness = new ScheduleHarness(await _stores.CreateAsync(StoreProvider.Sqlite), new FakeTimeProvider(Utc("2026-10-24T12:00:00")));
        await harness.Schedules.CreateAsync(ScheduleHarness.Daily("berlin", NewKey(), "30 2 * * *", "Europe/Berlin"), "operator", RunTrigger.Api);

        Assert.Single(await harness.TickAtNextFireTimeAsync());
        harness.Time.SetUtcNow(Utc("2026-10-25T01:45:00")); // 02:45 CET: the second 02:30 has passed
        Assert.Empty(await harness.Ticker.TickAsync());
        Assert.Single(await harness.TickAtNextFireTimeAsync());

        var runs = await harness.RunsOfAsync("berlin");
        Assert.Equal([Utc("2026-10-25T00:30:00").UtcDateTime, Utc("2026-10-26T01:30:00").UtcDateTime], runs.Select(r => r.FireAt));
        Assert.Equal(["2026-10-24", "2026-10-25"], runs.Select(r => r.Parameters["date"]));
    }

    [Fact]
    public async Task Tick_OnTwoHostsOfOnePostgres_MakesOneRunPerFireTime()
    {
        var database = await postgres.CreateDatabaseAsync();
        var stores = new[] { LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = database }), null! };
        await stores[0].MigrateAsync();
        stores[1] = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = database });
        var time = new FakeTimeProvider(Utc("2026-11-27T05:00:00"));
        var hosts = stores.Select((store, i) => new ScheduleHarness(store, time, $"host-{i}")).ToArray();
        await hosts[0].Schedules.CreateAsync(ScheduleHarness.Daily("twice", NewKey(), "*/10 * * * *"), "operator", RunTrigger.Api);

        for (var fire = 0; fire < 5; fire++)
        {
            time.SetUtcNow((await hosts[0].Ticker.NextFireAtAsync())!.Value);
            var queued = await Task.WhenAll(hosts.Select(h => Task.Run(() => h.Ticker.TickAsync())));
            Assert.Equal(1, queued.Sum(q => q.Count));
        }

        var runs = await hosts[1].RunsOfAsync("twice");
        Assert.Equal(5, runs.Count);
        Assert.Equal(5, runs.Select(r => r.FireAt).Distinct().Count());
    }

    [Theory]
    [InlineData(CatchUpPolicy.Skip, 10, new[] { 0 }, ScheduleOutcome.Missed)]
    [InlineData(CatchUpPolicy.LatestOnly, 10, new[] { 9 }, ScheduleOutcome.Running)]
    [InlineData(CatchUpPolicy.All, 10, new[] { 7, 8, 9 }, ScheduleOutcome.Running)]
    [InlineData(CatchUpPolicy.All, 2, new[] { 8, 9 }, ScheduleOutcome.Running)]
    public async Task Tick_AfterEveryHostWasDownAcrossThreeFireTimes_FollowsTheCatchUpPolicy(
        CatchUpPolicy policy, int limit, int[] hoursRun, ScheduleOutcome result)
    {
        var harness = new ScheduleHarness(await _stores.CreateAsync(StoreProvider.Sqlite), new FakeTimeProvider(Utc("2026-11-27T05:30:00")));
        await harness.Schedules.CreateAsync(
            ScheduleHarness.Daily("hourly", NewKey(), "0 * * * *") with { CatchUp = policy, CatchUpLimit = limit, FireTimeParameter = null, FireTimeOffset = null },
            "operator", RunTrigger.Api);
        Assert.Single(await harness.TickAtNextFireTimeAsync()); // 06:00, on time

        harness.Time.SetUtcNow(Utc("2026-11-27T09:30:00")); // every host was down at 07:00, 08:00 and 09:00
        await harness.Ticker.TickAsync();

        var runs = await harness.RunsOfAsync("hourly");
        Assert.Equal(new[] { 6 }.Concat(hoursRun.Where(h => h > 0)), runs.Select(r => r.FireAt.Hour));
        var view = (await harness.Schedules.GetAsync("hourly"))!.Schedule;
        Assert.Equal(result, view.LastResult);
        Assert.Equal(Utc("2026-11-27T10:00:00"), view.NextFireAt);
    }

    [Fact]
    public async Task Tick_MakesNoRunWhilePaused_AndResumesAtTheNextFireTimeWithoutCatchingUp()
    {
        var harness = new ScheduleHarness(await _stores.CreateAsync(StoreProvider.Sqlite), new FakeTimeProvider(Utc("2026-11-27T05:00:00")));
        await harness.Schedules.CreateAsync(ScheduleHarness.Daily("pausing", NewKey()) with { CatchUp = CatchUpPolicy.All }, "operator", RunTrigger.Api);

        harness.Time.Advance(TimeSpan.FromSeconds(1)); // the Operator pauses it a moment later (the trail orders by time)
        var paused = await harness.Schedules.SetPausedAsync("pausing", true, "operator", RunTrigger.Api);
        Assert.True(paused!.Paused);
        Assert.Null(paused.NextFireAt);
        harness.Time.SetUtcNow(Utc("2026-11-29T12:00:00")); // two fire times pass while paused
        Assert.Empty(await harness.Ticker.TickAsync());

        var resumed = await harness.Schedules.SetPausedAsync("pausing", false, "operator", RunTrigger.Api);
        Assert.Equal(Utc("2026-11-30T06:00:00"), resumed!.NextFireAt);
        Assert.Empty(await harness.Ticker.TickAsync());
        Assert.Single(await harness.TickAtNextFireTimeAsync());
        Assert.Equal([Utc("2026-11-30T06:00:00").UtcDateTime], (await harness.RunsOfAsync("pausing")).Select(r => r.FireAt));
        await using var context = harness.Store.CreateDbContext();
        Assert.Equal(
            [Luigi.Engine.Storage.Entities.AuditAction.ScheduleCreated, Luigi.Engine.Storage.Entities.AuditAction.SchedulePaused,
                Luigi.Engine.Storage.Entities.AuditAction.ScheduleResumed, Luigi.Engine.Storage.Entities.AuditAction.Triggered],
            await context.AuditEntries.Where(e => e.ScheduleName == "pausing").OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => e.Action).ToListAsync());
    }

    [Fact]
    public async Task Tick_SkipsAFireTime_WhileThePreviousRunIsStillActive()
    {
        var harness = new ScheduleHarness(await _stores.CreateAsync(StoreProvider.Sqlite), new FakeTimeProvider(Utc("2026-11-27T05:00:00")));
        await harness.Schedules.CreateAsync(ScheduleHarness.Daily("busy", NewKey()) with { SkipWhileActive = true }, "operator", RunTrigger.Api);

        Assert.Single(await harness.TickAtNextFireTimeAsync()); // no host runs it: it stays queued
        Assert.Empty(await harness.TickAtNextFireTimeAsync());

        Assert.Single(await harness.RunsOfAsync("busy"));
        Assert.Equal(ScheduleOutcome.SkippedWhileActive, (await harness.Schedules.GetAsync("busy"))!.Schedule.LastResult);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Tick_WithEverythingComplete_EndsSucceededAtOnceWithEveryTaskComplete_AndSaysNothingToDo(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var harness = new ScheduleHarness(store, new FakeTimeProvider(Utc("2026-11-27T05:00:00")));
        var key = NewKey();
        DatedPipeline.Complete(key, new DateOnly(2026, 11, 26));
        await harness.Schedules.CreateAsync(ScheduleHarness.Daily("done", key), "operator", RunTrigger.Api);
        await using var host = new RunningHost(store, harness.Executor);

        var run = Assert.Single(await harness.TickAtNextFireTimeAsync());
        Assert.Equal(RunState.Succeeded, await host.WaitAsync(run));

        await using var context = store.CreateDbContext();
        var tasks = await context.RunTasks.AsNoTracking().Where(t => t.RunId == run).ToListAsync();
        Assert.NotEmpty(tasks);
        Assert.All(tasks, t => Assert.Equal(TaskState.Complete, t.State));
        var view = (await harness.Schedules.GetAsync("done"))!.Schedule;
        Assert.Equal(ScheduleOutcome.NothingToDo, view.LastResult);
        Assert.Equal("nothing to do", view.LastResult.Describe());
        Assert.Equal(run, view.LastRun!.Id);
    }

    [Fact]
    public async Task Tick_WithWorkToDo_RunsItAndSaysSucceeded()
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);
        var harness = new ScheduleHarness(store, new FakeTimeProvider(Utc("2026-11-27T05:00:00")));
        var key = NewKey();
        await harness.Schedules.CreateAsync(ScheduleHarness.Daily("work", key), "operator", RunTrigger.Api);
        await using var host = new RunningHost(store, harness.Executor);

        var run = Assert.Single(await harness.TickAtNextFireTimeAsync());

        Assert.Equal(RunState.Succeeded, await host.WaitAsync(run));
        Assert.True(DatedPipeline.IsComplete(key, new DateOnly(2026, 11, 26)));
        Assert.Equal(ScheduleOutcome.Succeeded, (await harness.Schedules.GetAsync("work"))!.Schedule.LastResult);
    }

    [Fact]
    public async Task Declare_MakesTheScheduleOnce_KeepsAnOperatorsPause_AndAppliesAChangedDeclaration()
    {
        var harness = new ScheduleHarness(await _stores.CreateAsync(StoreProvider.Sqlite), new FakeTimeProvider(Utc("2026-11-27T05:00:00")));
        var declared = ScheduleHarness.Daily("from-code", "k");

        Assert.Empty(await harness.Schedules.DeclareAsync([declared]));
        await harness.Schedules.SetPausedAsync("from-code", true, "operator", RunTrigger.Browser);
        await harness.Schedules.DeclareAsync([declared]);
        var kept = (await harness.Schedules.GetAsync("from-code"))!.Schedule;
        await harness.Schedules.DeclareAsync([declared with { Cron = "0 7 * * *" }]);
        var changed = (await harness.Schedules.GetAsync("from-code"))!.Schedule;

        Assert.True(kept.Paused);
        Assert.True(kept.DeclaredInCode);
        Assert.Equal("0 6 * * *", kept.Cron);
        Assert.Equal("0 7 * * *", changed.Cron);
        Assert.True(changed.Paused);
    }
}
