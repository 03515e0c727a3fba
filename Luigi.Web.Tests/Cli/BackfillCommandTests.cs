using Luigi.Engine.Execution;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Tests.Cli;

/// <summary><c>backfill</c> from the command line: one run per date, the dates already complete skipped, kept in the store.</summary>
public sealed class BackfillCommandTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("luigi-backfill-").FullName;

    public void Dispose()
    {
        _stores.Dispose();
        Directory.Delete(_dataRoot, recursive: true);
    }

    [Fact]
    public async Task Backfill_RunsEachDate_SkipsThoseAlreadyComplete_AndExitsZero()
    {
        var store = await _stores.CreateAsync(StoreProvider.Postgres);
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Luigi"] = store.ConnectionString, ["Luigi__Data__Root"] = _dataRoot };
        string[] Backfill(string from, string to) =>
            ["backfill", "DailySales", "--from", from, "--to", to, "--param", "days=1", "--max-concurrent", "2", "--workers", "2", "--store", "postgres"];

        var first = await HostProcess.RunAsync(Backfill("2026-11-03", "2026-11-05"), environment);
        var second = await HostProcess.RunAsync(Backfill("2026-11-01", "2026-11-10"), environment);

        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        Assert.Contains("2026-11-04 already complete, skipped", second.Output);
        Assert.Contains("10 dates: 7 succeeded, 3 already complete, 0 failed, 0 cancelled, 0 not run.", second.Output);
        await using var context = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = store.ConnectionString }).CreateDbContext();
        var backfill = await context.Backfills.OrderBy(b => b.CreatedAt).LastAsync();
        var dates = await context.BackfillDates.Where(d => d.BackfillId == backfill.Id).OrderBy(d => d.Date).ToListAsync();
        Assert.Equal([new DateOnly(2026, 11, 3), new DateOnly(2026, 11, 4), new DateOnly(2026, 11, 5)],
            dates.Where(d => d.State == BackfillDateState.Complete).Select(d => d.Date));
        var runs = await context.Runs.Where(r => r.BackfillId == backfill.Id).ToListAsync();
        Assert.Equal(7, runs.Count);
        Assert.All(runs, r => Assert.Equal((RunTrigger.Backfill, RunState.Succeeded), (r.Trigger, r.State)));
        Assert.True(File.Exists(Path.Combine(_dataRoot, "sales", "clean", "orders-2026-11-10.csv")));
    }

    [Theory]
    [InlineData("2026-11-10", "2026-11-01", "to: 'to' (2026-11-01) is before 'from' (2026-11-10)")]
    [InlineData("tomorrow", "2026-11-01", "--from and --to are dates")]
    public async Task Backfill_WithBadDates_IsAUsageError(string from, string to, string says)
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);

        var result = await HostProcess.RunAsync(["backfill", "DailySales", "--from", from, "--to", to, "--store", "sqlite"],
            new Dictionary<string, string> { ["ConnectionStrings__Luigi"] = store.ConnectionString, ["Luigi__Data__Root"] = _dataRoot });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(says, result.Error);
    }
}
