using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Storage;

/// <summary>Re-running a run with each scope: what runs again and what is left alone.</summary>
public sealed class RerunTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Rerun_FailedOnly_RunsTheFailedAndBlockedTasksAndNothingElse(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");
        await using var host = new RunningHost(store);
        var first = await host.Executor.EnqueueAsync(Request(key, failTask: "CountingTask(index=1)"));
        Assert.Equal(RunState.Failed, await host.Executor.WaitForRunAsync(first).WaitAsync(Guard));
        SideEffects.Fix(key);

        var second = (await host.Executor.RerunAsync(first, RerunScope.FailedOnly, null, "tester"))!.Value;

        Assert.Equal(RunState.Succeeded, await host.Executor.WaitForRunAsync(second).WaitAsync(Guard));
        var effects = SideEffects.Of(key);
        Assert.Equal(2 + 1, effects["CountingTask(index=1)"]); // two failed attempts, then the re-run
        Assert.Equal(1, effects["CountingTask(index=4)"]); // blocked in the first run, so it ran only now
        Assert.All(effects.Where(e => e.Key is not "CountingTask(index=1)" and not "CountingTask(index=4)"), e => Assert.Equal(1, e.Value));
        var states = await StatesAsync(store, second);
        Assert.Equal(TaskState.Done, states["CountingTask(index=1)"]);
        Assert.Equal(TaskState.Done, states["CountingTask(index=4)"]);
        Assert.Equal(TaskState.Complete, states["CountingTask(index=3)"]);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Rerun_TaskAndDownstream_ForcesThatTaskAndItsDependentsOnly(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");
        await using var host = new RunningHost(store);
        var first = await host.Executor.EnqueueAsync(Request(key, withOutputs: true));
        Assert.Equal(RunState.Succeeded, await host.Executor.WaitForRunAsync(first).WaitAsync(Guard));
        var again = (await host.Executor.RerunAsync(first, RerunScope.All, null, "tester"))!.Value;
        Assert.Equal(RunState.Succeeded, await host.Executor.WaitForRunAsync(again).WaitAsync(Guard));
        Assert.All(SideEffects.Of(key).Values, count => Assert.Equal(1, count)); // outputs exist: re-running it all skipped every task
        var skipped = await StatesAsync(store, again);
        Assert.Equal(3, skipped.Count); // only the three roots: complete, so nothing below them was even expanded
        Assert.All(skipped.Values, state => Assert.Equal(TaskState.Complete, state));

        var forced = (await host.Executor.RerunAsync(first, RerunScope.TaskAndDownstream, "CountingTask(index=2)", "tester"))!.Value;

        Assert.Equal(RunState.Succeeded, await host.Executor.WaitForRunAsync(forced).WaitAsync(Guard));
        var effects = SideEffects.Of(key);
        // index 2 is required by 3, 5 (offset 2 of each) and 4 (offset 2); those by every task of the last layer.
        string[] rerun = ["CountingTask(index=2)", "CountingTask(index=3)", "CountingTask(index=4)", "CountingTask(index=5)",
            "CountingTask(index=6)", "CountingTask(index=7)", "CountingTask(index=8)"];
        Assert.All(rerun, id => Assert.Equal(2, effects[id]));
        Assert.Equal(1, effects["CountingTask(index=0)"]);
        Assert.Equal(1, effects["CountingTask(index=1)"]);
    }

    [Fact]
    public async Task Rerun_RefusesATaskThatIsNotInTheRun()
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);
        var key = Guid.NewGuid().ToString("N");
        await using var host = new RunningHost(store);
        var first = await host.Executor.EnqueueAsync(Request(key));
        await host.Executor.WaitForRunAsync(first).WaitAsync(Guard);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.Executor.RerunAsync(first, RerunScope.TaskAndDownstream, "Nope", null));

        Assert.Contains("has no task Nope", error.Message);
        Assert.Null(await host.Executor.RerunAsync(Guid.NewGuid(), RerunScope.All, null, null));
    }

    private static RunRequest Request(string key, string failTask = "", bool withOutputs = false) => new(
        "CountingPipeline",
        new Dictionary<string, string>
        {
            ["key"] = key, ["tasks"] = "9", ["width"] = "3", ["failTask"] = failTask, ["withOutputs"] = withOutputs.ToString(),
        },
        RunTrigger.Api);

    private static async Task<Dictionary<string, TaskState>> StatesAsync(LuigiStore store, Guid runId)
    {
        await using var context = store.CreateDbContext();
        return await context.RunTasks.Where(t => t.RunId == runId).ToDictionaryAsync(t => t.TaskId, t => t.State);
    }
}
