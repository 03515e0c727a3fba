using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Cli;

/// <summary>Command-line runs kept in the configured store: the history outlives the process.</summary>
public sealed class CliStoreTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Run_KeepsItsHistoryInTheStore_ForTheNextProcessToRead(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Luigi"] = store.ConnectionString };
        string[] failing =
        [
            "run", "ComplexExample", "--store", provider.ToString().ToLowerInvariant(), "--workers", "2",
            "--param", "delayMs=0", "--param", "failTask=TaskE", "--param", "failTimes=5", "--param", "retries=1", "--param", "retryDelay=0s",
        ];

        var first = await HostProcess.RunAsync(failing, environment);
        var second = await HostProcess.RunAsync(failing[..6].Concat(["--param", "delayMs=0"]), environment);

        Assert.True(first.ExitCode == 1, first.Output + first.Error);
        Assert.Contains("TaskE (after 2 attempts): System.InvalidOperationException: TaskE failed on purpose", first.Output);
        Assert.Contains("TaskG, blocked by TaskE", first.Output);
        Assert.Matches(@"TaskA running \(worker \d, attempt 1\)", first.Output);
        Assert.Contains("TaskE attempt 1 failed, will retry: System.InvalidOperationException: TaskE failed on purpose", first.Output);
        Assert.Contains("TaskE FAILED: System.InvalidOperationException: TaskE failed on purpose (attempt 2", first.Output);
        Assert.Contains("TaskG blocked by failed TaskE", first.Output);
        Assert.True(second.ExitCode == 0, second.Output + second.Error);

        await using var context = LuigiStore.Create(new StoreOptions { Provider = provider, ConnectionString = store.ConnectionString }).CreateDbContext();
        var runs = await context.Runs.OrderBy(r => r.CreatedAt).ToListAsync();
        Assert.Equal([RunState.Failed, RunState.Succeeded], runs.Select(r => r.State));
        Assert.All(runs, r => Assert.Equal((RunTrigger.Cli, "ComplexExample"), (r.Trigger, r.Pipeline)));
        Assert.Equal("TaskE", runs[0].Parameters["failTask"]);
        var tasks = await context.RunTasks.Where(t => t.RunId == runs[0].Id).ToDictionaryAsync(t => t.TaskId);
        Assert.Equal((TaskState.Failed, 2), (tasks["TaskE"].State, tasks["TaskE"].AttemptCount));
        Assert.Equal((TaskState.UpstreamFailed, "TaskE"), (tasks["TaskG"].State, tasks["TaskG"].BlockedBy));
        Assert.Equal(5, tasks.Values.Count(t => t.State == TaskState.Done));
        var taskA = tasks["TaskA"].TaskIndex;
        var log = await context.AttemptLogLines.Where(l => l.RunId == runs[0].Id && l.TaskIndex == taskA).OrderBy(l => l.Sequence).ToListAsync();
        Assert.Equal(["TaskA starts working for 0 ms (attempt 1).", "TaskA finished."], log.Select(l => l.Message));
    }
}
