using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Bench;

/// <summary>Runs a synthetic graph through the configured store (every transition committed) and counts the tasks done.</summary>
internal static class BenchStore
{
    public static async Task<int> RunAsync(string provider, BenchShape shape, int count, int width, int workers, CancellationToken cancellationToken)
    {
        var options = LuigiWebSetup.ReadStoreOptions(LuigiWebSetup.LoadConfiguration());
        options.Provider = Enum.Parse<StoreProvider>(provider, ignoreCase: true);
        var store = LuigiStore.Create(options);
        await store.MigrateAsync(cancellationToken);
        var registry = new PipelineRegistry().Add(typeof(BenchPipeline));
        var executorOptions = new StoreExecutorOptions { PollInterval = TimeSpan.FromMilliseconds(50) };
        var executor = new StoreExecutor(store, registry, new LuigiEngineOptions { Workers = workers }, executorOptions);
        var runId = await executor.EnqueueAsync(new RunRequest(nameof(BenchPipeline),
            new Dictionary<string, string> { ["shape"] = shape.ToString(), ["tasks"] = count.ToString(), ["width"] = width.ToString() },
            RunTrigger.Cli, "bench"), cancellationToken);
        executorOptions.OnlyRun = runId;
        using var stop = new CancellationTokenSource();
        var host = executor.RunAsync(stop.Token);
        await executor.WaitForRunAsync(runId, cancellationToken);
        await stop.CancelAsync();
        await host;
        await using var context = store.CreateDbContext();
        return await context.RunTasks.CountAsync(t => t.RunId == runId && t.State == TaskState.Done, cancellationToken);
    }
}
