using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Luigi.Engine.Execution;

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

    /// <summary>
    /// What a new user saw with several hosts: after the database dropped every connection, the next run's tasks failed
    /// on the pool's dead connections (loading a task on a host that did not resolve its run reads the store). An outage
    /// is never a task's failure: the run it hit and the next one succeed, and no attempt of either failed.
    /// </summary>
    [Fact]
    public async Task TwoHosts_AfterEveryConnectionIsDropped_TheRunItHitAndTheNextRunSucceed_WithNoAttemptFailed()
    {
        var store = await _stores.CreateAsync(StoreProvider.Postgres);
        var (first, second) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        var a = StoreFactory.Executor(store, workers: 2, name: "host-a");
        var b = StoreFactory.Executor(store, workers: 2, name: "host-b");
        using var stop = new CancellationTokenSource();
        var hosts = new[] { a.RunAsync(stop.Token), b.RunAsync(stop.Token) };

        var hit = await a.EnqueueAsync(Counting(first, store.ConnectionString, "CountingTask(index=100)"));
        var hitState = await b.WaitForRunAsync(hit).WaitAsync(TimeSpan.FromMinutes(2));
        var next = await b.EnqueueAsync(Counting(second, "", ""));
        var nextState = await a.WaitForRunAsync(next).WaitAsync(TimeSpan.FromMinutes(2));
        await stop.CancelAsync();
        await Task.WhenAll(hosts);

        Assert.Equal((RunState.Succeeded, RunState.Succeeded), (hitState, nextState));
        await using var context = store.CreateDbContext();
        var failed = await context.Attempts.Where(x => (x.RunId == hit || x.RunId == next) && x.Outcome == TaskState.Failed).Select(x => x.Error).ToListAsync();
        Assert.Empty(failed);
        Assert.All(SideEffects.Of(first).Values.Concat(SideEffects.Of(second).Values), count => Assert.Equal(1, count));
        Assert.Equal(400, SideEffects.Of(first).Count + SideEffects.Of(second).Count);
    }

    private static RunRequest Counting(string key, string killConnections, string killTask) => new("CountingPipeline", new Dictionary<string, string>
    {
        ["key"] = key, ["tasks"] = "200", ["width"] = "10", ["killConnections"] = killConnections, ["killTask"] = killTask,
    }, RunTrigger.Api);
}
