using System.Collections.Concurrent;
using System.Text.Json;
using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Auth;
using Luigi.Web.Live;
using Luigi.Web.Pipelines;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Live;

/// <summary>The SignalR hub as a browser uses it: groups, message names and the JSON protocol.</summary>
public sealed class LiveHubTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task AClientWatchingOneRun_GetsItsTasks_AndNoneOfAnotherRun()
    {
        await using var host = await StartAsync();
        var executor = host.Services.GetRequiredService<StoreExecutor>();
        var (watchedKey, otherKey) = ($"w{Guid.NewGuid():N}", $"o{Guid.NewGuid():N}");
        var watched = await executor.EnqueueAsync(Gated(watchedKey));
        var other = await executor.EnqueueAsync(Gated(otherKey));
        await using var client = await HubClient.ConnectAsync(host);
        await client.Connection.InvokeAsync(nameof(LiveHub.WatchRun), watched);

        LiveGatePipeline.Open(otherKey);
        LiveGatePipeline.Open(watchedKey);
        await client.WaitAsync(c => c.RunStates(watched).Contains("Succeeded"), "the watched run's end");
        await executor.WaitForRunAsync(other).WaitAsync(LiveRecorder.Guard);

        var tasks = client.Tasks();
        Assert.All(tasks, t => Assert.Equal(watched, t.GetProperty("runId").GetGuid()));
        var latest = tasks.GroupBy(t => t.GetProperty("taskId").GetString()!)
            .ToDictionary(g => g.Key, g => g.MaxBy(t => t.GetProperty("order").GetInt64()).GetProperty("state").GetString());
        Assert.Equal(new Dictionary<string, string?> { [$"GateTask(key={watchedKey})"] = "Done", [$"AfterGate(key={watchedKey})"] = "Done" }, latest);
        Assert.Equal(executor.Host.Id, tasks[0].GetProperty("hostId").GetString());
        Assert.DoesNotContain(client.Runs(), r => r.GetProperty("runId").GetGuid() == other);
        Assert.Equal("LiveGatePipeline", client.Runs().First().GetProperty("pipeline").GetString());
    }

    [Fact]
    public async Task AClientWatchingTheRunList_GetsEveryRunsChanges_AndNoTasks()
    {
        await using var host = await StartAsync();
        await using var client = await HubClient.ConnectAsync(host);
        await client.Connection.InvokeAsync(nameof(LiveHub.WatchRuns));
        var executor = host.Services.GetRequiredService<StoreExecutor>();

        var first = await executor.EnqueueAsync(new RunRequest("Sequence", new Dictionary<string, string> { ["delayMs"] = "0" }, RunTrigger.Api));
        var second = await executor.EnqueueAsync(new RunRequest("ParallelJoin", new Dictionary<string, string> { ["delayMs"] = "0" }, RunTrigger.Api));

        await client.WaitAsync(c => c.RunStates(first).Contains("Succeeded") && c.RunStates(second).Contains("Succeeded"), "both runs' ends");
        Assert.Equal(["Queued", "Resolving", "Running", "Succeeded"], client.RunStates(first));
        Assert.Empty(client.Tasks());

        await using var witness = await HubClient.ConnectAsync(host);
        await witness.Connection.InvokeAsync(nameof(LiveHub.WatchRuns));
        await client.Connection.InvokeAsync(nameof(LiveHub.UnwatchRuns));
        var third = await executor.EnqueueAsync(new RunRequest("Sequence", new Dictionary<string, string> { ["delayMs"] = "0" }, RunTrigger.Api));
        await witness.WaitAsync(c => c.RunStates(third).Contains("Succeeded"), "the third run's end at a client still watching");
        Assert.Empty(client.RunStates(third));
    }

    [Fact]
    public async Task AResyncBatch_IsSentToEveryClient()
    {
        await using var host = await StartAsync();
        await using var client = await HubClient.ConnectAsync(host);

        host.Services.GetRequiredService<LiveFeed>().AddRemote(new LiveBatch([], [], true));

        await client.WaitAsync(c => c.Resyncs > 0, "a resync");
    }

    private async Task<WebApplicationFactory<Program>> StartAsync() =>
        new LuigiWebFactory(StoreProvider.Postgres, await postgres.CreateDatabaseAsync())
            .WithWebHostBuilder(builder => builder.ConfigureServices(services => services.AddLuigiPipelines(typeof(LiveGatePipeline).Assembly)));

    private static RunRequest Gated(string key) => new(nameof(LiveGatePipeline), new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api);

    /// <summary>A SignalR client of the in-memory host (long polling through the test server), keeping what it is sent as raw JSON.</summary>
    private sealed class HubClient : IAsyncDisposable
    {
        private readonly ConcurrentQueue<JsonElement> _tasks = new();
        private readonly ConcurrentQueue<JsonElement> _runs = new();
        private readonly SemaphoreSlim _received = new(0);
        private int _resyncs;

        private HubClient(HubConnection connection)
        {
            Connection = connection;
            connection.On<JsonElement[]>(nameof(ILiveClient.Tasks), changes => Receive(_tasks, changes));
            connection.On<JsonElement[]>(nameof(ILiveClient.Runs), changes => Receive(_runs, changes));
            connection.On(nameof(ILiveClient.Resync), () =>
            {
                Interlocked.Increment(ref _resyncs);
                _received.Release();
            });
        }

        public HubConnection Connection { get; }

        public int Resyncs => Volatile.Read(ref _resyncs);

        public static async Task<HubClient> ConnectAsync(WebApplicationFactory<Program> host)
        {
            var token = (await TestUsers.TokenAsync(host.Services, "watcher", LuigiRoles.Viewer)).Text;
            var connection = TestHubConnections.Build(host.Server, token);
            var client = new HubClient(connection);
            await connection.StartAsync().WaitAsync(LiveRecorder.Guard);
            return client;
        }

        public IReadOnlyList<JsonElement> Tasks() => [.. _tasks];

        public IReadOnlyList<JsonElement> Runs() => [.. _runs];

        public IReadOnlyList<string?> RunStates(Guid runId) =>
            [.. _runs.Where(r => r.GetProperty("runId").GetGuid() == runId).Select(r => r.GetProperty("state").GetString())];

        public async Task WaitAsync(Func<HubClient, bool> condition, string what)
        {
            using var guard = new CancellationTokenSource(LiveRecorder.Guard);
            while (!condition(this))
            {
                try
                {
                    await _received.WaitAsync(guard.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"Waited {LiveRecorder.Guard} for {what}; got {_tasks.Count} task and {_runs.Count} run changes, {Resyncs} resyncs.");
                }
            }
        }

        public async ValueTask DisposeAsync() => await Connection.DisposeAsync();

        private void Receive(ConcurrentQueue<JsonElement> into, JsonElement[] changes)
        {
            foreach (var change in changes)
            {
                into.Enqueue(change.Clone());
            }

            _received.Release();
        }
    }
}
