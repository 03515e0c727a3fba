using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Schedules;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Luigi.Web.Tests.Schedules;

/// <summary>One host's schedule parts over a store, on a fake clock: the schedule store, the ticker, backfills and an executor to run what they queue.</summary>
internal sealed class ScheduleHarness
{
    public ScheduleHarness(LuigiStore store, FakeTimeProvider time, string host = "host")
    {
        Store = store;
        Time = time;
        Executor = new StoreExecutor(store, DatedPipeline.Registry, new LuigiEngineOptions { Workers = 2 }, StoreFactory.FastOptions(), hostName: host);
        Schedules = new ScheduleStore(store, DatedPipeline.Registry, time);
        Ticker = new ScheduleTicker(store, DatedPipeline.Registry, Executor.Client, new ScheduleOptions(), time);
        Backfills = new Backfills(store, DatedPipeline.Registry, Executor.Client, time);
    }

    public LuigiStore Store { get; }

    public FakeTimeProvider Time { get; }

    public StoreExecutor Executor { get; }

    public ScheduleStore Schedules { get; }

    public ScheduleTicker Ticker { get; }

    public Backfills Backfills { get; }

    /// <summary>Moves the clock to the next fire time of any schedule and ticks, as the hosted ticker does; returns the runs queued.</summary>
    public async Task<IReadOnlyList<Guid>> TickAtNextFireTimeAsync()
    {
        var next = await Ticker.NextFireAtAsync() ?? throw new InvalidOperationException("No schedule fires again.");
        Time.SetUtcNow(next);
        return await Ticker.TickAsync();
    }

    /// <summary>The runs of a schedule: fire time, parameters and state, by fire time.</summary>
    public async Task<List<(DateTime FireAt, Dictionary<string, string> Parameters, RunState State, RunTrigger Trigger)>> RunsOfAsync(string schedule)
    {
        await using var context = Store.CreateDbContext();
        var runs = await context.Runs.AsNoTracking().Where(r => r.ScheduleName == schedule).ToListAsync();
        return runs.OrderBy(r => r.FireAt).Select(r => (r.FireAt!.Value, r.Parameters, r.State, r.Trigger)).ToList();
    }

    public static ScheduleDefinition Daily(string name, string key, string cron = "0 6 * * *", string zone = "UTC") => new()
    {
        Name = name,
        Pipeline = nameof(DatedPipeline),
        Cron = cron,
        TimeZone = zone,
        Parameters = new Dictionary<string, string> { ["key"] = key },
        FireTimeParameter = "date",
        FireTimeOffset = "-1d",
        SkipWhileActive = false,
    };
}
