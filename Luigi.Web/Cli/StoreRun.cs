using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Luigi.Engine.Execution;

namespace Luigi.Web.Cli;

/// <summary>
/// A command-line run kept in the store, so it shows in the history: the run is queued like any other,
/// and this process works on it alone until it ends. Ctrl+C cancels the run.
/// </summary>
internal static class StoreRun
{
    public static async Task<int> RunAsync(
        PipelineRegistry registry, StoreOptions storeOptions, string pipeline, IReadOnlyList<KeyValuePair<string, string>> parameters,
        LuigiEngineOptions engine, TextWriter output, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var store = LuigiStore.Create(storeOptions);
        await store.MigrateAsync(CancellationToken.None);
        var options = new StoreExecutorOptions { PollInterval = TimeSpan.FromMilliseconds(200), HeartbeatInterval = TimeSpan.FromSeconds(2) };
        var executor = new StoreExecutor(store, registry, engine, options, loggers: loggers,
            observers: [new ConsoleProgressObserver(output, TimeProvider.System)]);
        var request = new RunRequest(pipeline, parameters.ToDictionary(p => p.Key, p => p.Value), RunTrigger.Cli, Environment.UserName);
        var runId = await executor.EnqueueAsync(request, CancellationToken.None);
        await output.WriteLineAsync($"Run {runId} of {pipeline} queued in the {store.Provider} store.");
        using var cancelling = cancellationToken.Register(() => output.WriteLine("Cancelling the run..."));
        var state = await executor.RunToEndAsync(runId, cancellationToken);
        await output.WriteLineAsync();
        await output.WriteLineAsync(await SummarizeAsync(store, runId));
        return state == RunState.Succeeded ? 0 : 1;
    }

    private static async Task<string> SummarizeAsync(LuigiStore store, Guid runId)
    {
        await using var context = store.CreateDbContext();
        var run = await context.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
        var tasks = await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId).OrderBy(t => t.TaskIndex)
            .Select(t => new SummaryEntry(t.TaskId, t.Family, t.State, t.AttemptCount, t.ErrorSummary, t.BlockedBy))
            .ToListAsync();
        var summary = new ExecutionSummary(tasks, (run.FinishedAt ?? run.CreatedAt) - (run.StartedAt ?? run.CreatedAt)).ToString();
        return run.Error is null ? summary : $"error: {run.Error}{Environment.NewLine}{summary}";
    }
}
