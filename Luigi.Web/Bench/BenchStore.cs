using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.Execution;

namespace Luigi.Web.Bench;

/// <summary>
/// Runs synthetic graphs through the configured store (every transition committed): the store is opened
/// and migrated once, then each run is enqueued, resolved, written and executed by one host with
/// <c>W</c> workers that works on that run only.
/// </summary>
internal sealed class BenchStore
{
    private readonly LuigiStore _store;
    private readonly PipelineRegistry _registry = new PipelineRegistry().Add(typeof(BenchPipeline));

    private BenchStore(LuigiStore store) => _store = store;

    public static async Task<BenchStore> OpenAsync(string provider, CancellationToken cancellationToken)
    {
        var options = LuigiWebSetup.ReadStoreOptions(LuigiWebSetup.LoadConfiguration());
        options.Provider = Enum.Parse<StoreProvider>(provider, ignoreCase: true);
        var store = LuigiStore.Create(options);
        await store.MigrateAsync(cancellationToken);
        return new BenchStore(store);
    }

    /// <summary>Runs one graph to its end; returns how many tasks are Done and how long the resolution took
    /// (from the request to the first attempt's start: building the graph, checking completeness, writing it).</summary>
    public async Task<(int Done, double ResolveSeconds)> RunAsync(BenchShape shape, int count, int width, int workers, CancellationToken cancellationToken)
    {
        var executorOptions = new StoreExecutorOptions { PollInterval = TimeSpan.FromMilliseconds(50) };
        var executor = new StoreExecutor(_store, _registry, new LuigiEngineOptions { Workers = workers }, executorOptions);
        var runId = await executor.EnqueueAsync(new RunRequest(nameof(BenchPipeline),
            new Dictionary<string, string> { ["shape"] = shape.ToString(), ["tasks"] = count.ToString(), ["width"] = width.ToString() },
            RunTrigger.Cli, "bench"), cancellationToken);
        await executor.RunToEndAsync(runId, cancellationToken);
        await using var context = _store.CreateDbContext();
        var done = await context.RunTasks.CountAsync(t => t.RunId == runId && t.State == TaskState.Done, cancellationToken);
        var requested = (await context.Runs.SingleAsync(r => r.Id == runId, cancellationToken)).CreatedAt;
        var firstStart = await context.Attempts.Where(a => a.RunId == runId).MinAsync(a => (DateTime?)a.StartedAt, cancellationToken);
        return (done, ((firstStart ?? requested) - requested).TotalSeconds);
    }
}
