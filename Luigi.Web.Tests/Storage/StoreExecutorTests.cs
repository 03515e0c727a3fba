using Luigi.Engine;
using Luigi.Engine.Graph;
using Luigi.Engine.Parameters;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.Storage;

/// <summary>Runs kept in a real store, on both providers: what is written, and how it ends.</summary>
public sealed class StoreExecutorTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Run_KeepsTasksEdgesAttemptsAndLogs_ReadableByAnotherStoreInstance(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");

        var (runId, state) = await RunToEndAsync(store, Params(key, tasks: 9, width: 3));

        Assert.Equal(RunState.Succeeded, state);
        var reopened = LuigiStore.Create(new StoreOptions { Provider = provider, ConnectionString = store.ConnectionString });
        await using var context = reopened.CreateDbContext();
        var run = await context.Runs.SingleAsync(r => r.Id == runId);
        Assert.Equal((9, 0, RunTrigger.Api, "tester"), (run.TaskCount, run.UnfinishedCount, run.Trigger, run.RequestedBy));
        Assert.NotNull(run.FinishedAt);
        var tasks = await context.RunTasks.Where(t => t.RunId == runId).ToListAsync();
        Assert.All(tasks, t => Assert.Equal(TaskState.Done, t.State));
        Assert.Equal(3, tasks.Count(t => t.IsRoot));
        Assert.Equal("4", tasks.Single(t => t.TaskId == "CountingTask(index=4)").Parameters["index"]);
        var expected = await GraphBuilder.BuildAsync(StoreFactory.Pipelines.Create(run.Pipeline, run.Parameters).Roots(), 1, CancellationToken.None);
        Assert.Equal(expected.EdgeCount, await context.RunEdges.CountAsync(e => e.RunId == runId));
        Assert.Equal(
            expected.Edges().Select(e => (e.Requirement.TaskId, e.Dependent.TaskId)).Order(),
            (await context.RunEdges.Where(e => e.RunId == runId).ToListAsync())
                .Select(e => (tasks.Single(t => t.TaskIndex == e.RequirementIndex).TaskId, tasks.Single(t => t.TaskIndex == e.DependentIndex).TaskId)).Order());
        var attempts = await context.Attempts.Where(a => a.RunId == runId).ToListAsync();
        Assert.Equal(9, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(TaskState.Done, a.Outcome));
        var lines = await context.AttemptLogLines.Where(l => l.RunId == runId).ToListAsync();
        Assert.Equal(9, lines.Count);
        Assert.Contains(lines, l => l.Message.StartsWith("CountingTask(index=4) ran on worker", StringComparison.Ordinal));
        Assert.All(SideEffects.Of(key).Values, count => Assert.Equal(1, count));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Run_RecordsRetriesFailureAndBlockedTasks(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");

        var (runId, state) = await RunToEndAsync(store, Params(key, tasks: 6, width: 3, failTask: "CountingTask(index=1)"));

        Assert.Equal(RunState.Failed, state);
        await using var context = store.CreateDbContext();
        var tasks = await context.RunTasks.Where(t => t.RunId == runId).ToDictionaryAsync(t => t.TaskId);
        var failed = tasks["CountingTask(index=1)"];
        Assert.Equal((TaskState.Failed, 2), (failed.State, failed.AttemptCount));
        Assert.StartsWith("System.InvalidOperationException: CountingTask(index=1) failed on purpose (attempt 2)", failed.ErrorSummary);
        Assert.Contains("   at ", failed.Error);
        var attempts = await context.Attempts.Where(a => a.RunId == runId && a.TaskIndex == failed.TaskIndex).OrderBy(a => a.Number).ToListAsync();
        Assert.Equal([TaskState.Failed, TaskState.Failed], attempts.Select(a => a.Outcome));
        Assert.Contains("(attempt 1)", attempts[0].Error);
        // index 1 is required by index 4 only (tasks 3..5 require 3, their own offset, and 5)
        Assert.Equal((TaskState.UpstreamFailed, "CountingTask(index=1)"), (tasks["CountingTask(index=4)"].State, tasks["CountingTask(index=4)"].BlockedBy));
        Assert.Equal(TaskState.Done, tasks["CountingTask(index=3)"].State);
        Assert.Equal(TaskState.Done, tasks["CountingTask(index=5)"].State);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Cancel_StopsTheRunningTaskAndCancelsWhatWaits(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");
        await using var host = new RunningHost(store);
        var executor = host.Executor;
        var runId = await executor.EnqueueAsync(new RunRequest("BlockingPipeline", new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api));
        await SideEffects.StartedSignal(key).Task.WaitAsync(Guard);

        Assert.Equal(CancelResult.Cancelled, await executor.CancelAsync(runId));
        var state = await host.WaitAsync(runId);

        Assert.Equal(RunState.Cancelled, state);
        await using var context = store.CreateDbContext();
        var tasks = await context.RunTasks.Where(t => t.RunId == runId).ToDictionaryAsync(t => t.TaskId);
        Assert.Equal(TaskState.Cancelled, tasks[$"BlockingTask(key={key})"].State);
        Assert.Equal(TaskState.Cancelled, tasks[$"AfterBlocking(key={key})"].State);
        Assert.Equal(TaskState.Cancelled, (await context.Attempts.SingleAsync(a => a.RunId == runId)).Outcome);
        Assert.Equal(CancelResult.AlreadyFinished, await executor.CancelAsync(runId));
        Assert.Equal(CancelResult.NotFound, await executor.CancelAsync(Guid.NewGuid()));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Run_Fails_WhenATasksRequiresThrowsAnErrorCarryingANulCharacter_InsteadOfRetryingItsGraphForever(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);

        var (runId, state) = await RunToEndAsync(store, new RunRequest(nameof(NulErrorPipeline), new Dictionary<string, string>(), RunTrigger.Api));

        Assert.Equal(RunState.Failed, state);
        await using var context = store.CreateDbContext();
        var task = await context.RunTasks.SingleAsync(t => t.RunId == runId);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Contains("bad\uFFFDbyte from the source system", task.Error);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Run_FailsAsAWholeWithTheCycleNamed_WhenTheGraphHasACycle(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);

        var (runId, state) = await RunToEndAsync(store, new RunRequest("CyclicPipeline", new Dictionary<string, string>(), RunTrigger.Api));

        Assert.Equal(RunState.Failed, state);
        await using var context = store.CreateDbContext();
        var run = await context.Runs.SingleAsync(r => r.Id == runId);
        Assert.Contains("Dependency cycle:", run.Error);
        Assert.Contains("Ping -> Pong", run.Error);
        Assert.Equal(0, await context.RunTasks.CountAsync(t => t.RunId == runId));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Enqueue_WritesNothing_WhenAParameterIsWrong(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var executor = StoreFactory.Executor(store);

        var error = await Assert.ThrowsAsync<ParameterException>(() => executor.EnqueueAsync(
            new RunRequest("CountingPipeline", new Dictionary<string, string> { ["tasks"] = "many" }, RunTrigger.Api)));

        Assert.Contains("Parameter 'tasks' expects a whole number", error.Message);
        await using var context = store.CreateDbContext();
        Assert.Equal(0, await context.Runs.CountAsync());
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Run_KeepsTheFirstLogLinesAndEndsTheLogWithAVisibleTruncationMarker(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var executor = StoreFactory.Executor(store, maxLogLines: 5);

        var (runId, state) = await RunToEndAsync(store,
            await executor.EnqueueAsync(new RunRequest("ChattyPipeline", new Dictionary<string, string> { ["lines"] = "12" }, RunTrigger.Api)), executor);

        Assert.Equal(RunState.Succeeded, state);
        var task = (await new RunReader(store).GetTaskAsync(runId, 0))!;
        var attempt = Assert.Single(task.Attempts);
        Assert.Equal(7, attempt.TruncatedLogLines);
        Assert.Equal(["line 1", "line 2", "line 3", "line 4", "line 5"], attempt.Log!.Take(5).Select(l => l.Message));
        Assert.Equal("[truncated: 7 more lines were not kept; see Luigi:Engine:MaxLogLinesPerAttempt]", attempt.Log![5].Message);
        Assert.Equal(6, attempt.Log.Count);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Observer_HearsTheEndOfARun_ThatACancelEndsAtOnce(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var recorder = new ChangeRecorder();
        var executor = new StoreExecutor(store, StoreFactory.Pipelines, new Engine.LuigiEngineOptions { Workers = 1 }, StoreFactory.FastOptions(),
            observers: [recorder]);
        var queued = await executor.EnqueueAsync(Params(Guid.NewGuid().ToString("N"), tasks: 2, width: 1)); // never started: no host runs

        Assert.Equal(CancelResult.Cancelled, await executor.CancelAsync(queued));

        Assert.Equal([(queued, RunState.Cancelled)], recorder.Finished);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Observer_HearsEveryCommittedChange_ACauseBeforeItsEffect(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");
        var recorder = new ChangeRecorder();
        var executor = new StoreExecutor(store, StoreFactory.Pipelines, new Engine.LuigiEngineOptions { Workers = 2 }, StoreFactory.FastOptions(),
            observers: [recorder]);

        var (runId, state) = await RunToEndAsync(store, await executor.EnqueueAsync(Params(key, tasks: 6, width: 3, failTask: "CountingTask(index=1)")), executor);

        Assert.Equal(RunState.Failed, state);
        var changes = recorder.Changes;
        Assert.Equal([TaskState.Running, TaskState.RetryWaiting, TaskState.Running, TaskState.Failed],
            changes.Where(c => c.TaskId == "CountingTask(index=1)").Select(c => c.State));
        var blocked = Assert.Single(changes, c => c.State == TaskState.UpstreamFailed);
        Assert.Equal(("CountingTask(index=4)", "CountingTask(index=1)"), (blocked.TaskId, blocked.BlockedBy));
        var position = changes.Select((c, i) => (c, i)).ToList();
        int When(string taskId, TaskState s) => position.First(p => p.c.TaskId == taskId && p.c.State == s).i;
        Assert.True(When("CountingTask(index=0)", TaskState.Done) < When("CountingTask(index=3)", TaskState.Running));
        Assert.True(When("CountingTask(index=2)", TaskState.Done) < When("CountingTask(index=5)", TaskState.Running));
        Assert.Equal((runId, RunState.Failed), Assert.Single(recorder.Finished));
    }

    [Fact]
    public async Task TwoHosts_ShareOneRunOfTwoThousandTasks_AndRunEachTaskExactlyOnce()
    {
        var store = await _stores.CreateAsync(StoreProvider.Postgres);
        var key = Guid.NewGuid().ToString("N");
        var first = StoreFactory.Executor(store, workers: 4, name: "host-a");
        var second = StoreFactory.Executor(store, workers: 4, name: "host-b");
        using var stop = new CancellationTokenSource();
        var hosts = new[] { first.RunAsync(stop.Token), second.RunAsync(stop.Token) };

        var runId = await first.EnqueueAsync(Params(key, tasks: 2_000, width: 40));
        var state = await second.WaitForRunAsync(runId).WaitAsync(TimeSpan.FromMinutes(3));
        await stop.CancelAsync();
        await Task.WhenAll(hosts);

        Assert.Equal(RunState.Succeeded, state);
        var effects = SideEffects.Of(key);
        Assert.Equal(2_000, effects.Count);
        Assert.All(effects.Values, count => Assert.Equal(1, count));
        await using var context = store.CreateDbContext();
        var attempts = await context.Attempts.Where(a => a.RunId == runId).ToListAsync();
        Assert.Equal(2_000, attempts.Count);
        Assert.Equal(new[] { first.Host.Id, second.Host.Id }.Order(), attempts.Select(a => a.HostId!).Distinct().Order());
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task ExpiredLease_PutsTheTaskBackAndAnotherHostFinishesTheRun(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");
        var queue = new RunQueue(store, TimeProvider.System);
        var request = Params(key, tasks: 3, width: 3);
        var runId = await queue.EnqueueAsync(request, CancellationToken.None);
        var run = (await queue.TakeQueuedRunAsync("dead-host", null, RunLimits.None, CancellationToken.None))!;
        var graph = await GraphBuilder.BuildAsync(StoreFactory.Pipelines.Create(run.Pipeline, run.Parameters).Roots(), 4, CancellationToken.None);
        await queue.SaveGraphAsync(runId, graph, CancellationToken.None);
        var lost = (await queue.ClaimAsync("dead-host", 1, TimeSpan.FromMilliseconds(1), null, CancellationToken.None))!;

        var (_, state) = await RunToEndAsync(store, runId);

        Assert.Equal(RunState.Succeeded, state);
        await using var context = store.CreateDbContext();
        var attempts = await context.Attempts.Where(a => a.RunId == runId && a.TaskIndex == lost.TaskIndex).OrderBy(a => a.Number).ToListAsync();
        Assert.Equal(2, attempts.Count);
        Assert.Equal((TaskState.Cancelled, "dead-host"), (attempts[0].Outcome, attempts[0].HostId)); // the host died: no failure of the task
        Assert.Contains("Lease expired: host dead-host stopped renewing it", attempts[0].Error);
        Assert.Equal(TaskState.Done, attempts[1].Outcome);
        Assert.All(SideEffects.Of(key).Values, count => Assert.Equal(1, count));

        var late = new TaskCompletion(runId, lost.TaskIndex, lost.TaskId, lost.Attempt, TaskState.Failed, "too late", null, [], 0);
        Assert.Null(await queue.CompleteAsync("dead-host", late, CancellationToken.None));
        Assert.Equal(TaskState.Done, (await context.RunTasks.AsNoTracking().SingleAsync(t => t.RunId == runId && t.TaskIndex == lost.TaskIndex)).State);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task ARunCancelledWhileADeadHostResolvedIt_EndsCancelled_AndObserversHearIt(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10)); // the dead host's last heartbeat
        var dead = new RunQueue(store, past);
        await dead.HeartbeatAsync(new HostRecord { Id = "dead-resolver", Name = "dead", Workers = 1, StartedAt = past.GetUtcNow().UtcDateTime }, TimeSpan.FromSeconds(2), [], CancellationToken.None);
        var runId = await dead.EnqueueAsync(Params(Guid.NewGuid().ToString("N"), tasks: 2, width: 1), CancellationToken.None);
        Assert.NotNull(await dead.TakeQueuedRunAsync("dead-resolver", runId, RunLimits.None, CancellationToken.None));
        Assert.Equal(RunState.Cancelling, (await dead.CancelAsync(runId, "tester", RunTrigger.Api, CancellationToken.None)).Run?.State);
        var recorder = new ChangeRecorder();
        var executor = new StoreExecutor(store, StoreFactory.Pipelines, new Engine.LuigiEngineOptions { Workers = 1 }, StoreFactory.FastOptions(),
            observers: [recorder]);

        await using var host = new RunningHost(store, executor);

        await recorder.RunChangedTo(runId, RunState.Cancelled).WaitAsync(RunningHost.Guard);
        Assert.Contains((runId, RunState.Cancelled), recorder.Finished);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Observer_HearsTheWaitingTasksACancelEnds_SoOpenPagesShowThemCancelled(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");
        var recorder = new ChangeRecorder();
        var executor = new StoreExecutor(store, StoreFactory.Pipelines, new Engine.LuigiEngineOptions { Workers = 1 }, StoreFactory.FastOptions(),
            observers: [recorder]);
        await using var host = new RunningHost(store, executor);
        var runId = await executor.EnqueueAsync(new RunRequest("BlockingPipeline", new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api));
        await SideEffects.StartedSignal(key).Task.WaitAsync(Guard);

        Assert.Equal(CancelResult.Cancelled, await executor.CancelAsync(runId));

        var waiting = Assert.Single(recorder.Changes, c => c.TaskId == $"AfterBlocking(key={key})");
        Assert.Equal((runId, TaskState.Cancelled), (waiting.RunId, waiting.State));
        Assert.Equal(RunState.Cancelled, await host.WaitAsync(runId));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Observer_HearsATaskPutBackInTheQueue_WhenItsHostsLeaseExpired(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");
        var queue = new RunQueue(store, TimeProvider.System);
        var runId = await queue.EnqueueAsync(Params(key, tasks: 3, width: 3), CancellationToken.None);
        var run = (await queue.TakeQueuedRunAsync("dead-host", null, RunLimits.None, CancellationToken.None))!;
        var graph = await GraphBuilder.BuildAsync(StoreFactory.Pipelines.Create(run.Pipeline, run.Parameters).Roots(), 4, CancellationToken.None);
        await queue.SaveGraphAsync(runId, graph, CancellationToken.None);
        var lost = (await queue.ClaimAsync("dead-host", 1, TimeSpan.FromMilliseconds(1), null, CancellationToken.None))!;
        var recorder = new ChangeRecorder();
        var executor = new StoreExecutor(store, StoreFactory.Pipelines, new Engine.LuigiEngineOptions { Workers = 1 }, StoreFactory.FastOptions(),
            observers: [recorder]);

        var (_, state) = await RunToEndAsync(store, runId, executor);

        Assert.Equal(RunState.Succeeded, state);
        var steps = recorder.Changes.Where(c => c.TaskIndex == lost.TaskIndex).Select(c => (c.State, c.Attempt)).ToList();
        Assert.Equal([(TaskState.Pending, 1), (TaskState.Running, 2), (TaskState.Done, 2)], steps);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task AHostThatLostALease_StopsTheAttempt_AndCommitsNothingOverTheAttemptThatTookItOver(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var key = Guid.NewGuid().ToString("N");
        await using var host = new RunningHost(store);
        var runId = await host.Executor.EnqueueAsync(new RunRequest("BlockingPipeline", new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api));
        await SideEffects.StartedSignal(key).Task.WaitAsync(Guard);
        var taskId = $"BlockingTask(key={key})";
        await using (var context = store.CreateDbContext())
        {
            // What another host does when this one's lease ran out (it was paused past it): it takes the task over.
            var task = await context.RunTasks.SingleAsync(t => t.RunId == runId && t.TaskId == taskId);
            task.HostId = "other-host";
            task.AttemptCount++;
            await context.SaveChangesAsync();
        }

        await SideEffects.CancelledSignal(key).Task.WaitAsync(Guard);
        await host.DisposeAsync(); // a stopping host writes every outcome it holds before it returns

        await using var check = store.CreateDbContext();
        var after = await check.RunTasks.AsNoTracking().SingleAsync(t => t.RunId == runId && t.TaskId == taskId);
        Assert.Equal((TaskState.Running, "other-host", 2), (after.State, after.HostId, after.AttemptCount));
        Assert.Equal(RunState.Running, (await check.Runs.AsNoTracking().SingleAsync(r => r.Id == runId)).State);
    }

    [Fact]
    public async Task Cancel_ThroughOneHost_StopsTheAttemptRunningOnAnother()
    {
        var store = await _stores.CreateAsync(StoreProvider.Postgres);
        var key = Guid.NewGuid().ToString("N");
        var web = StoreFactory.Executor(store, name: "web"); // takes commands, runs nothing (as the web host in front of a worker replica)
        await using var worker = new RunningHost(store, StoreFactory.Executor(store, name: "worker"));
        var runId = await web.Client.EnqueueAsync(new RunRequest("BlockingPipeline", new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api));
        await SideEffects.StartedSignal(key).Task.WaitAsync(Guard);

        Assert.Equal(CancelResult.Cancelled, await web.Client.CancelAsync(runId, "tester", RunTrigger.Api));

        await SideEffects.CancelledSignal(key).Task.WaitAsync(Guard); // the worker's heartbeat saw the cancel and stopped its attempt
        Assert.Equal(RunState.Cancelled, await worker.WaitAsync(runId));
        await using var context = store.CreateDbContext();
        var attempt = await context.Attempts.AsNoTracking().SingleAsync(a => a.RunId == runId);
        Assert.Equal((TaskState.Cancelled, worker.Executor.Host.Id), (attempt.Outcome, attempt.HostId));
    }

    private static RunRequest Params(string key, int tasks, int width, string failTask = "") => new(
        "CountingPipeline",
        new Dictionary<string, string> { ["key"] = key, ["tasks"] = tasks.ToString(), ["width"] = width.ToString(), ["failTask"] = failTask },
        RunTrigger.Api,
        "tester");

    private static async Task<(Guid RunId, RunState State)> RunToEndAsync(LuigiStore store, RunRequest request)
    {
        var executor = StoreFactory.Executor(store);
        var runId = await executor.EnqueueAsync(request);
        return await RunToEndAsync(store, runId, executor);
    }

    private static async Task<(Guid RunId, RunState State)> RunToEndAsync(LuigiStore store, Guid runId, StoreExecutor? executor = null)
    {
        await using var host = new RunningHost(store, executor);
        return (runId, await host.WaitAsync(runId));
    }

    private sealed class ChangeRecorder : IRunObserver
    {
        private readonly Lock _lock = new();
        private readonly List<TaskChange> _changes = [];
        private readonly List<(Guid, RunState)> _finished = [];

        public IReadOnlyList<TaskChange> Changes
        {
            get
            {
                lock (_lock)
                {
                    return [.. _changes];
                }
            }
        }

        public IReadOnlyList<(Guid, RunState)> Finished
        {
            get
            {
                lock (_lock)
                {
                    return [.. _finished];
                }
            }
        }

        public void OnTaskChanged(TaskChange change)
        {
            lock (_lock)
            {
                _changes.Add(change);
            }
        }

        public void OnRunFinished(Guid runId, RunState state)
        {
            lock (_lock)
            {
                _finished.Add((runId, state));
            }
        }

        private readonly System.Collections.Concurrent.ConcurrentDictionary<(Guid, RunState), TaskCompletionSource> _runChanges = new();

        /// <summary>Completes when the observer hears <paramref name="runId"/> change to <paramref name="state"/>.</summary>
        public Task RunChangedTo(Guid runId, RunState state) =>
            _runChanges.GetOrAdd((runId, state), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public void OnRunChanged(Guid runId, string pipeline, RunState state) =>
            _runChanges.GetOrAdd((runId, state), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
