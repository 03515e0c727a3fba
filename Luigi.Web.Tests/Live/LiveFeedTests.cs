using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Live;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.Live;

/// <summary>The live feed on one host: what its subscribers get, and how a slow one is kept from holding up the rest.</summary>
public sealed class LiveFeedTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task ARunOnTheHost_ReachesASubscriber_EveryTaskEndingDone_AndTheRunFromQueuedToSucceeded()
    {
        await using var host = new LuigiWebFactory(StoreProvider.Postgres, await postgres.CreateDatabaseAsync());
        var recorder = new LiveRecorder();
        using var subscription = host.Services.GetRequiredService<ILiveFeed>().Subscribe(recorder.OnBatch);
        var executor = host.Services.GetRequiredService<StoreExecutor>();

        var runId = await executor.EnqueueAsync(new RunRequest("ComplexExample", new Dictionary<string, string> { ["delayMs"] = "0" }, RunTrigger.Api));
        await recorder.WaitForRunAsync(runId, RunState.Succeeded);

        var latest = recorder.LatestStates(runId);
        Assert.Equal(["TaskA", "TaskB", "TaskC", "TaskD", "TaskE", "TaskF", "TaskG"], latest.Keys.Order());
        Assert.All(latest.Values, state => Assert.Equal(TaskState.Done, state));
        Assert.All(recorder.Tasks(runId), change => Assert.Equal(executor.Host.Id, change.HostId));
        Assert.Equal([RunState.Queued, RunState.Resolving, RunState.Running, RunState.Succeeded], recorder.RunStates(runId));
        Assert.DoesNotContain(recorder.Batches, b => b.Resync);
        Assert.Equal("ComplexExample", recorder.Batches.SelectMany(b => b.Runs).First(r => r.RunId == runId).Pipeline);
    }

    [Fact]
    public async Task ACancelledRun_IsSeenCancellingThenCancelled()
    {
        await using var host = new LuigiWebFactory(StoreProvider.Postgres, await postgres.CreateDatabaseAsync());
        var recorder = new LiveRecorder();
        using var subscription = host.Services.GetRequiredService<ILiveFeed>().Subscribe(recorder.OnBatch);
        var executor = host.Services.GetRequiredService<StoreExecutor>();
        var runId = await executor.EnqueueAsync(new RunRequest("Sequence", new Dictionary<string, string> { ["delayMs"] = "600000" }, RunTrigger.Api));
        await recorder.WaitAsync(b => b.SelectMany(x => x.Tasks).Any(t => t.RunId == runId && t.State == TaskState.Running), "a running task");

        Assert.Equal(CancelResult.Cancelled, await executor.CancelAsync(runId));

        await recorder.WaitForRunAsync(runId, RunState.Cancelled);
        Assert.Equal([RunState.Queued, RunState.Resolving, RunState.Running, RunState.Cancelling, RunState.Cancelled], recorder.RunStates(runId));
        Assert.Equal(TaskState.Cancelled, recorder.LatestStates(runId)["TaskA"]);
    }

    [Fact]
    public async Task ARunThatCannotBeResolved_IsSeenQueuedResolvingThenFailed()
    {
        var store = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = await postgres.CreateDatabaseAsync() });
        await store.MigrateAsync();
        await using var node = await LiveNode.StartAsync(store, Storage.StoreFactory.Pipelines, "host", execute: true);

        var runId = await node.Executor.EnqueueAsync(new RunRequest(nameof(Storage.CyclicPipeline), new Dictionary<string, string>(), RunTrigger.Api));

        await node.Recorder.WaitForRunAsync(runId, RunState.Failed);
        Assert.Equal([RunState.Queued, RunState.Resolving, RunState.Failed], node.Recorder.RunStates(runId));
        Assert.Empty(node.Recorder.Tasks(runId));
    }

    [Fact]
    public async Task ASlowSubscriber_DelaysNoOther_AndGetsAResyncInsteadOfItsBacklog()
    {
        await using var feed = new LiveFeed(new LiveOptions { BatchInterval = TimeSpan.FromMilliseconds(5), SubscriberBacklog = 3 }, "host-1");
        var observer = (IRunObserver)feed;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new LiveRecorder();
        var fast = new LiveRecorder();
        using var slowSubscription = feed.Subscribe(async batch =>
        {
            slow.Add(batch);
            await gate.Task;
        });
        using var fastSubscription = feed.Subscribe(fast.OnBatch);
        var runId = Guid.NewGuid();

        for (var i = 1; i <= 20; i++)
        {
            observer.OnTaskChanged(new TaskChange(runId, i, $"Task{i}", TaskState.Done, 1, null, null, null, DateTime.UtcNow));
            var index = i;
            await fast.WaitAsync(b => b.SelectMany(x => x.Tasks).Any(t => t.TaskIndex == index), $"change {i} at the fast subscriber");
        }

        Assert.Equal(Enumerable.Range(1, 20), fast.Tasks(runId).Select(t => t.TaskIndex));
        Assert.Equal("host-1", fast.Tasks(runId)[0].HostId);
        Assert.Single(slow.Batches); // still on its first batch

        gate.SetResult();
        await slow.WaitAsync(b => b.Any(x => x.Resync), "a resync at the slow subscriber");
        var received = slow.Tasks(runId).Select(t => t.TaskIndex).ToList();
        Assert.True(received.Count < 20, $"the slow subscriber got {received.Count} changes: its backlog should have been dropped");
        Assert.Equal(received.Order(), received);
        Assert.DoesNotContain(fast.Batches, b => b.Resync);
    }

    [Fact]
    public async Task BadSettings_StopTheHostFromStarting_NamingTheSetting()
    {
        var file = Path.Combine(Path.GetTempPath(), $"luigi-live-{Guid.NewGuid():N}.db");
        try
        {
            await using var host = new LuigiWebFactory(StoreProvider.Sqlite, $"Data Source={file};Pooling=False")
                .WithWebHostBuilder(builder => builder.UseSetting("Luigi:Live:BatchInterval", "00:00:00"));

            var error = Assert.Throws<OptionsValidationException>(() => host.Services);

            Assert.Contains("Luigi:Live:BatchInterval", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task OnSqlite_TheHostRunsWithoutARelay_AndItsOwnChangesStillReachTheFeed()
    {
        var file = Path.Combine(Path.GetTempPath(), $"luigi-live-{Guid.NewGuid():N}.db");
        try
        {
            await using var host = new LuigiWebFactory(StoreProvider.Sqlite, $"Data Source={file};Pooling=False");
            var recorder = new LiveRecorder();
            using var subscription = host.Services.GetRequiredService<ILiveFeed>().Subscribe(recorder.OnBatch);

            var runId = await host.Services.GetRequiredService<StoreExecutor>()
                .EnqueueAsync(new RunRequest("ParallelJoin", new Dictionary<string, string> { ["delayMs"] = "0" }, RunTrigger.Api));

            await recorder.WaitForRunAsync(runId, RunState.Succeeded);
            Assert.All(recorder.LatestStates(runId).Values, state => Assert.Equal(TaskState.Done, state));
            Assert.Equal(0, host.Services.GetRequiredService<PostgresLiveRelay>().Listens);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
    }
}
