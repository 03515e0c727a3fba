using Luigi.Engine.Execution;
using Luigi.Engine.Schedules;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Luigi.Web.Tests.Schedules;

/// <summary>Backfills over a real store: one run per date, dates already complete skipped, a limit on runs at once.</summary>
public sealed class BackfillTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly DateOnly From = new(2026, 11, 1);

    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Backfill_OfTenDaysWithThreeComplete_RunsTheSevenOthers_NeverMoreThanThreeAtOnce(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var harness = new ScheduleHarness(store, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var key = Guid.NewGuid().ToString("N");
        var complete = new[] { From.AddDays(1), From.AddDays(4), From.AddDays(8) };
        foreach (var date in complete)
        {
            DatedPipeline.Complete(key, date);
        }

        var started = await harness.Backfills.StartAsync(
            new BackfillRequest(nameof(DatedPipeline), From, From.AddDays(9), new Dictionary<string, string> { ["key"] = key }, MaxConcurrentRuns: 3),
            "operator", RunTrigger.Cli);
        Assert.Equal(10, started.Progress.Waiting);

        // No host runs anything yet: the first drive gives runs to the first three dates that need one, skipping the
        // complete one among them, and stops at the limit.
        await harness.Backfills.DriveAsync();
        var first = (await harness.Backfills.GetAsync(started.Id))!;
        Assert.Equal(new BackfillProgress(10, 6, 1, 3, 0, 0, 0), first.Backfill.Progress);
        Assert.Equal([From, From.AddDays(2), From.AddDays(3)], first.Dates.Where(d => d.RunId is not null).Select(d => d.Date));

        await using var host = new RunningHost(store, harness.Executor);
        while (true)
        {
            await harness.Backfills.DriveAsync();
            var detail = (await harness.Backfills.GetAsync(started.Id))!;
            Assert.InRange(detail.Backfill.Progress.Running, 0, 3);
            if (detail.Backfill.FinishedAt is not null)
            {
                break;
            }

            foreach (var date in detail.Dates.Where(d => d.RunId is not null && d.RunState is not (RunState.Succeeded or RunState.Failed or RunState.Cancelled)))
            {
                await host.WaitAsync(date.RunId!.Value);
            }
        }

        var final = (await harness.Backfills.GetAsync(started.Id))!;
        Assert.Equal(new BackfillProgress(10, 0, 3, 0, 7, 0, 0), final.Backfill.Progress);
        Assert.Equal(complete, final.Dates.Where(d => d.State == BackfillDateState.Complete).Select(d => d.Date));
        Assert.All(final.Dates.Where(d => !complete.Contains(d.Date)), d => Assert.Equal(RunState.Succeeded, d.RunState));
        Assert.All(Enumerable.Range(0, 10).Select(From.AddDays), d => Assert.True(DatedPipeline.IsComplete(key, d)));
    }

    [Fact]
    public async Task Drive_OnTwoHostsOfOnePostgres_GivesEachDateOneRun()
    {
        var database = await postgres.CreateDatabaseAsync();
        var first = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = database });
        await first.MigrateAsync();
        var second = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = database });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var hosts = new[] { new ScheduleHarness(first, time, "a"), new ScheduleHarness(second, time, "b") };
        var backfill = await hosts[0].Backfills.StartAsync(
            new BackfillRequest(nameof(DatedPipeline), From, From.AddDays(5), new Dictionary<string, string> { ["key"] = "two-hosts" }, MaxConcurrentRuns: 6),
            "operator", RunTrigger.Api);

        var queued = await Task.WhenAll(hosts.Select(h => Task.Run(() => h.Backfills.DriveAsync())));

        Assert.Equal(6, queued.Sum(q => q.Count));
        var detail = (await hosts[1].Backfills.GetAsync(backfill.Id))!;
        Assert.All(detail.Dates, d => Assert.Equal(BackfillDateState.Queued, d.State));
        Assert.Equal(6, detail.Dates.Select(d => d.RunId).Distinct().Count());
    }

    [Theory]
    [InlineData("NoSuchPipeline", "2026-11-01", "2026-11-10", null, 3, null, "pipeline")]
    [InlineData(nameof(DatedPipeline), "2026-11-10", "2026-11-01", null, 3, null, "to")]
    [InlineData(nameof(DatedPipeline), "2026-11-01", "2026-11-10", null, 0, null, "maxConcurrentRuns")]
    [InlineData(nameof(DatedPipeline), "2026-11-01", "2026-11-10", "day", 3, null, "dateParameter")]
    [InlineData(nameof(UndatedPipeline), "2026-11-01", "2026-11-10", null, 3, null, "dateParameter")]
    [InlineData(nameof(DatedPipeline), "2026-11-01", "2026-11-10", null, 3, "region=mars", "parameters.region")]
    [InlineData(nameof(DatedPipeline), "2026-11-01", "2026-11-10", null, 3, "date=2026-11-03", "parameters.date")]
    public async Task Start_RefusesBadInput_NamingTheField_AndStoresNothing(
        string pipeline, string from, string to, string? dateParameter, int max, string? parameter, string field)
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);
        var harness = new ScheduleHarness(store, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var parameters = parameter is null ? null : new Dictionary<string, string> { [parameter.Split('=')[0]] = parameter.Split('=')[1] };

        var error = await Assert.ThrowsAsync<ScheduleException>(() => harness.Backfills.StartAsync(
            new BackfillRequest(pipeline, DateOnly.Parse(from), DateOnly.Parse(to), parameters, dateParameter, max), "operator", RunTrigger.Api));

        Assert.Contains(field, error.Errors.Select(e => e.Field));
        Assert.Empty(await harness.Backfills.ListAsync());
    }
}
