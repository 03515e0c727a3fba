using Luigi.Engine.Execution;
using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Luigi.Web.Live;
using Luigi.Web.Tests.Storage;

namespace Luigi.Web.Tests.Live;

/// <summary>
/// One host as far as live changes go, without the web part: an executor (running or not) with its live
/// feed as observer, and the relay to the other hosts, on a shared store. A recorder subscribes to the feed.
/// </summary>
internal sealed class LiveNode : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    private LiveNode(LuigiStore store, PipelineRegistry pipelines, string name, LiveOptions options)
    {
        var identity = new HostIdentity(2, name: name);
        Feed = new LiveFeed(options, identity.Id);
        Executor = new StoreExecutor(store, pipelines, new LuigiEngineOptions { Workers = 2 }, StoreFactory.FastOptions(), observers: [Feed], identity: identity);
        Relay = new PostgresLiveRelay(Feed, store.Provider, store.ConnectionString, options);
        Feed.Subscribe(Recorder.OnBatch);
    }

    public StoreExecutor Executor { get; }

    public LiveFeed Feed { get; }

    public PostgresLiveRelay Relay { get; }

    public LiveRecorder Recorder { get; } = new();

    /// <summary>Starts the relay and waits until it listens; starts the executor too when <paramref name="execute"/>.</summary>
    public static async Task<LiveNode> StartAsync(LuigiStore store, PipelineRegistry pipelines, string name, bool execute, LiveOptions? options = null)
    {
        var node = new LiveNode(store, pipelines, name, options ?? new LiveOptions { BatchInterval = TimeSpan.FromMilliseconds(20) });
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Relay.Listening += () => listening.TrySetResult();
        await node.Relay.StartAsync(CancellationToken.None);
        if (node.Relay.Listens == 0)
        {
            await listening.Task.WaitAsync(LiveRecorder.Guard);
        }

        if (execute)
        {
            node._running = node.Executor.RunAsync(node._stop.Token);
        }

        return node;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running;
        }

        await Relay.StopAsync(CancellationToken.None);
        Relay.Dispose();
        await Feed.DisposeAsync();
        _stop.Dispose();
    }
}
