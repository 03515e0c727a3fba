using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Live;
using Luigi.Web.Tests.Infrastructure;
using Npgsql;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;
using Luigi.Web.Tests.Storage;

namespace Luigi.Web.Tests.Live;

/// <summary>Two hosts on one PostgreSQL database, each with its own feed and relay: changes made on one reach the other.</summary>
public sealed class LiveRelayTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task AChangeExecutedOnHostB_ReachesASubscriberOnHostA_AndHostBHearsItsOwnOnlyOnce()
    {
        var store = await CreateStoreAsync();
        await using var a = await LiveNode.StartAsync(store, LuigiWebSetup.CreatePipelineRegistry(), "host-a", execute: false);
        await using var b = await LiveNode.StartAsync(store, LuigiWebSetup.CreatePipelineRegistry(), "host-b", execute: true);

        var runId = await b.Executor.EnqueueAsync(ComplexExample());

        await a.Recorder.WaitForRunAsync(runId, RunState.Succeeded);
        await a.Recorder.WaitAsync(batches => LatestDone(batches, runId) == 7, "every task of the run Done on host A");
        Assert.All(a.Recorder.Tasks(runId), change => Assert.Equal(b.Executor.Host.Id, change.HostId));
        Assert.Equal([RunState.Queued, RunState.Resolving, RunState.Running, RunState.Succeeded], a.Recorder.RunStates(runId));

        await b.Recorder.WaitForRunAsync(runId, RunState.Succeeded);
        Assert.Equal(7, b.Recorder.Tasks(runId).Count(t => t.State == TaskState.Done)); // not once more through the relay
        Assert.Equal([RunState.Queued, RunState.Resolving, RunState.Running, RunState.Succeeded], b.Recorder.RunStates(runId));
    }

    [Fact]
    public async Task AWaitingTaskCancelledThroughHostA_ReachesASubscriberOnHostB_ThatRunsTheRun()
    {
        var store = await CreateStoreAsync();
        var key = Guid.NewGuid().ToString("N");
        var waitingTask = $"AfterBlocking(key={key})";
        await using var a = await LiveNode.StartAsync(store, StoreFactory.Pipelines, "host-a", execute: false);
        await using var b = await LiveNode.StartAsync(store, StoreFactory.Pipelines, "host-b", execute: true);
        var runId = await b.Executor.EnqueueAsync(new RunRequest("BlockingPipeline", new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api));
        await SideEffects.StartedSignal(key).Task.WaitAsync(LiveRecorder.Guard);

        Assert.Equal(CancelResult.Cancelled, await a.Executor.CancelAsync(runId));

        await b.Recorder.WaitAsync(_ => b.Recorder.Tasks(runId).Any(t => t.TaskId == waitingTask && t.State == TaskState.Cancelled),
            $"{waitingTask} Cancelled on host B");
        var cancelled = b.Recorder.Tasks(runId).Single(t => t.TaskId == waitingTask && t.State == TaskState.Cancelled);
        Assert.Equal(a.Executor.Host.Id, cancelled.HostId); // told by the host that committed the cancel, relayed to B
        await b.Recorder.WaitForRunAsync(runId, RunState.Cancelled);
    }

    [Fact]
    public async Task TheListeningConnectionKilled_GivesAResync_ThenChangesFromTheOtherHostFlowAgain()
    {
        var store = await CreateStoreAsync();
        await using var a = await LiveNode.StartAsync(store, LuigiWebSetup.CreatePipelineRegistry(), "host-a", execute: false);
        await using var b = await LiveNode.StartAsync(store, LuigiWebSetup.CreatePipelineRegistry(), "host-b", execute: true);
        var first = await b.Executor.EnqueueAsync(ComplexExample());
        await a.Recorder.WaitForRunAsync(first, RunState.Succeeded);
        Assert.DoesNotContain(a.Recorder.Batches, batch => batch.Resync);

        await using (var admin = new NpgsqlConnection(store.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", admin) { Parameters = { new("pid", a.Relay.ListenerProcessId!.Value) } };
            Assert.Equal(true, await kill.ExecuteScalarAsync());
        }

        await a.Recorder.WaitAsync(batches => batches.Any(batch => batch.Resync), "a resync on host A");
        Assert.Equal(2, a.Relay.Listens);
        Assert.DoesNotContain(b.Recorder.Batches, batch => batch.Resync);

        var second = await b.Executor.EnqueueAsync(ComplexExample());
        await a.Recorder.WaitForRunAsync(second, RunState.Succeeded);
        await a.Recorder.WaitAsync(batches => LatestDone(batches, second) == 7, "every task of the second run Done on host A");
    }

    [Fact]
    public async Task ABatchLargerThanOneNotification_ArrivesWhole_InOrder()
    {
        var store = await CreateStoreAsync();
        await using var a = await LiveNode.StartAsync(store, LuigiWebSetup.CreatePipelineRegistry(), "host-a", execute: false);
        await using var b = await LiveNode.StartAsync(store, LuigiWebSetup.CreatePipelineRegistry(), "host-b", execute: false);
        var runId = Guid.NewGuid();
        var observer = (IRunObserver)b.Feed;

        for (var i = 0; i < 600; i++)
        {
            observer.OnTaskChanged(new TaskChange(runId, i, $"Extract(table=sales_{i:D4}, day=2026-11-26)", TaskState.Failed, 3, 1,
                $"The source of sales_{i:D4} answered 503 Service Unavailable ({new string('x', 100)})", null, DateTime.UtcNow));
        }

        await a.Recorder.WaitAsync(batches => batches.Sum(batch => batch.Tasks.Count) >= 600, "600 task changes on host A");
        var received = a.Recorder.Tasks(runId);
        Assert.Equal(Enumerable.Range(0, 600), received.Select(t => t.TaskIndex));
        Assert.Equal(("Extract(table=sales_0042, day=2026-11-26)", TaskState.Failed, 3, 1), (received[42].TaskId, received[42].State, received[42].Attempt, received[42].Worker));
        Assert.StartsWith("The source of sales_0042 answered 503", received[42].ErrorSummary);
    }

    private async Task<LuigiStore> CreateStoreAsync()
    {
        var store = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = await postgres.CreateDatabaseAsync() });
        await store.MigrateAsync();
        return store;
    }

    private static RunRequest ComplexExample() => new("ComplexExample", new Dictionary<string, string> { ["delayMs"] = "0" }, RunTrigger.Api);

    private static int LatestDone(IReadOnlyList<LiveBatch> batches, Guid runId) =>
        batches.SelectMany(b => b.Tasks).Where(t => t.RunId == runId).GroupBy(t => t.TaskId).Count(g => g.MaxBy(t => t.Order)!.State == TaskState.Done);
}
