using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Luigi.Web.Tests.Storage;

/// <summary>A run survives its database dropping every connection mid-run: claims and grouped outcomes are retried.</summary>
public sealed class StoreOutageTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Fact]
    public async Task Run_Succeeds_WhenEveryConnectionIsDroppedMidRun_AndRunsEachTaskOnce()
    {
        var store = await _stores.CreateAsync(StoreProvider.Postgres);
        var key = Guid.NewGuid().ToString("N");
        var executor = StoreFactory.Executor(store, workers: 4);
        using var stop = new CancellationTokenSource();
        var host = executor.RunAsync(stop.Token);

        var runId = await executor.EnqueueAsync(new RunRequest("CountingPipeline", new Dictionary<string, string>
        {
            ["key"] = key, ["tasks"] = "300", ["width"] = "10",
            ["killConnections"] = store.ConnectionString, ["killTask"] = "CountingTask(index=150)",
        }, RunTrigger.Api));
        var state = await executor.WaitForRunAsync(runId).WaitAsync(TimeSpan.FromMinutes(2));
        await stop.CancelAsync();
        await host;

        Assert.Equal(RunState.Succeeded, state);
        var effects = SideEffects.Of(key);
        Assert.Equal(300, effects.Count);
        Assert.All(effects.Values, count => Assert.Equal(1, count));
        await using var context = store.CreateDbContext();
        Assert.Equal(300, await context.RunTasks.CountAsync(t => t.RunId == runId && t.State == TaskState.Done));
        Assert.Contains(await context.AttemptLogLines.Where(l => l.RunId == runId).Select(l => l.Message).ToListAsync(),
            m => m.StartsWith("CountingTask(index=150) dropped ", StringComparison.Ordinal) && !m.EndsWith(" 0 connections", StringComparison.Ordinal));
    }
}
