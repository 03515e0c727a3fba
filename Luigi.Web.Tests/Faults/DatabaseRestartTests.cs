using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Storage;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Faults;

/// <summary>
/// A real PostgreSQL stopped (as an administrator's restart stops it: sessions terminated) and started again in the
/// middle of a run shared by two hosts, for longer than a lease: the run ends as it would have without the fault, and
/// so does the next one; no attempt fails for it, no task runs twice (nobody could renew a lease while the database was
/// away, so nobody may take a task for abandoned when it returns).
/// </summary>
public sealed class DatabaseRestartTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task PostgresRestartedMidRun_LongerThanALease_TheRunAndTheNextOneSucceed_NoAttemptFails_NoTaskRunsTwice()
    {
        await using var cluster = await PostgresCluster.StartNewAsync();
        var store = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = cluster.ConnectionString });
        await store.MigrateAsync();
        var (first, second) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        var options = StoreFactory.ShortLeaseOptions();
        var a = StoreFactory.Executor(store, workers: 2, name: "host-a", options: options);
        var b = StoreFactory.Executor(store, workers: 2, name: "host-b", options: options);
        Assert.True(options.Lease < TimeSpan.FromSeconds(3), "the outage must outlast a lease");
        using var stop = new CancellationTokenSource();
        var hosts = new[] { a.RunAsync(stop.Token), b.RunAsync(stop.Token) };

        var hit = await a.EnqueueAsync(Counting(first));
        await WhenAsync(() => SideEffects.Of(first).Count >= 40); // mid-run: some tasks done, most to come
        await cluster.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3)); // the fault itself: the database is away this long
        await cluster.StartAsync();
        var hitState = await b.WaitForRunAsync(hit).WaitAsync(Guard);
        var next = await b.EnqueueAsync(Counting(second));
        var nextState = await a.WaitForRunAsync(next).WaitAsync(Guard);
        await stop.CancelAsync();
        await Task.WhenAll(hosts);

        Assert.Equal((RunState.Succeeded, RunState.Succeeded), (hitState, nextState));
        await using var context = store.CreateDbContext();
        var failed = await context.Attempts.Where(x => x.Outcome == TaskState.Failed).Select(x => x.Error).ToListAsync();
        Assert.Empty(failed);
        Assert.Equal((200, 200), (SideEffects.Of(first).Count, SideEffects.Of(second).Count));
        Assert.All(SideEffects.Of(first).Values.Concat(SideEffects.Of(second).Values), count => Assert.Equal(1, count));
    }

    private static RunRequest Counting(string key) => new("CountingPipeline", new Dictionary<string, string>
    {
        ["key"] = key, ["tasks"] = "200", ["width"] = "10", ["delayMs"] = "30",
    }, RunTrigger.Api);

    /// <summary>Waits, within <see cref="Guard"/>, until <paramref name="condition"/> holds (looking every 10 ms).</summary>
    private static async Task WhenAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Guard);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
