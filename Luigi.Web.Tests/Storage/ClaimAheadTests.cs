using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Tests.Storage;

/// <summary>
/// A host whose tasks are short claims tasks ahead of its idle workers (so that a commit carries more outcomes than there
/// are workers): what it records must still be what happened, and what it holds ahead must not wait behind a long task.
/// </summary>
public sealed class ClaimAheadTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task ShortTasks_AreEachRecordedOnTheWorkerThatRanThem_WithNoTwoAttemptsOfAWorkerAtOnce(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");
        var executor = StoreFactory.Executor(store, workers: 2);
        var runId = await executor.EnqueueAsync(new RunRequest("CountingPipeline",
            new Dictionary<string, string> { ["key"] = key, ["tasks"] = "300", ["width"] = "30" }, RunTrigger.Api, "tester"));
        await using (var host = new RunningHost(store, executor))
        {
            Assert.Equal(RunState.Succeeded, await host.WaitAsync(runId));
        }

        await using var context = store.CreateDbContext();
        var attempts = await context.Attempts.Where(a => a.RunId == runId).ToListAsync();
        var logs = await context.AttemptLogLines.Where(l => l.RunId == runId).ToDictionaryAsync(l => l.TaskIndex, l => l.Message);
        var tasks = await context.RunTasks.Where(t => t.RunId == runId).ToDictionaryAsync(t => t.TaskIndex);
        Assert.Equal(300, attempts.Count);
        Assert.All(SideEffects.Of(key).Values, count => Assert.Equal(1, count));
        foreach (var attempt in attempts)
        {
            // The task's own log names the worker that ran it; the timeline's lane (the attempt's worker) and the task's row agree.
            Assert.EndsWith($"ran on worker {attempt.Worker}", logs[attempt.TaskIndex]);
            Assert.Equal((attempt.Worker, attempt.StartedAt), (tasks[attempt.TaskIndex].Worker, tasks[attempt.TaskIndex].StartedAt));
        }

        foreach (var lane in attempts.GroupBy(a => a.Worker))
        {
            Assert.InRange(lane.Key, 1, 2);
            var ordered = lane.OrderBy(a => a.StartedAt).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].StartedAt >= ordered[i - 1].FinishedAt,
                    $"worker {lane.Key} started task {ordered[i].TaskIndex} at {ordered[i].StartedAt:O}, before task {ordered[i - 1].TaskIndex} ended at {ordered[i - 1].FinishedAt:O}");
            }
        }
    }

    [Fact]
    public async Task TasksClaimedAhead_AreGivenBack_WhenTheWorkerIsBusyWithALongTask_AndAnotherHostRunsThem()
    {
        var store = await _stores.CreateAsync(StoreProvider.Postgres);
        var key = Guid.NewGuid().ToString("N");
        var busy = StoreFactory.Executor(store, workers: 1, name: "busy");
        var runId = await busy.EnqueueAsync(new RunRequest("LongAfterShortPipeline", new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api, "tester"));
        await using var first = new RunningHost(store, busy);
        await SideEffects.StartedSignal(key).Task.WaitAsync(RunningHost.Guard); // its only worker runs the long task now

        var other = StoreFactory.Executor(store, workers: 1, name: "other");
        await using (var second = new RunningHost(store, other))
        {
            // The short tasks the busy host claimed ahead are not held until its long task ends: the other host runs them.
            await UntilAsync(async () =>
            {
                await using var context = store.CreateDbContext();
                return await context.RunTasks.CountAsync(t => t.RunId == runId && t.TaskId.StartsWith("ShortAfterFirst") && t.State == TaskState.Done) == 3;
            });
            Assert.False(SideEffects.ReleasedSignal(key).Task.IsCompleted);
        }

        SideEffects.ReleasedSignal(key).TrySetResult();
        Assert.Equal(RunState.Succeeded, await first.WaitAsync(runId));
        await using var read = store.CreateDbContext();
        var shorts = await read.RunTasks.Where(t => t.RunId == runId && t.TaskId.StartsWith("ShortAfterFirst")).Select(t => t.TaskIndex).ToListAsync();
        var attempts = await read.Attempts.Where(a => a.RunId == runId && shorts.Contains(a.TaskIndex)).ToListAsync();
        Assert.Equal(3, attempts.Count); // one each: what was claimed ahead and given back left no attempt behind
        Assert.All(attempts, a => Assert.Equal((1, TaskState.Done, other.Host.Id), (a.Number, a.Outcome, a.HostId)));
        Assert.All(SideEffects.Of(key).Values, count => Assert.Equal(1, count));
    }

    /// <summary>Polls the store until <paramref name="condition"/> holds, failing after <see cref="RunningHost.Guard"/>.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var guard = new CancellationTokenSource(RunningHost.Guard);
        while (!await condition())
        {
            await Task.Delay(50, guard.Token);
        }
    }
}
