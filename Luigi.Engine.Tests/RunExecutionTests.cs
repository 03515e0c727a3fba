using System.Collections.Concurrent;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

/// <summary>How one run executes its tasks: retries, failures, timeouts and what a running task is told.</summary>
public abstract class RunExecutionTests(QueueKind queue) : EngineTests(queue)
{
    [Fact]
    public async Task Run_RetriesAfterEachDelay_UntilTheTaskSucceeds()
    {
        var time = new TimerTrackingTimeProvider();
        var observer = new TransitionRecorder();
        var script = new GraphScript();
        script.Define("Flaky").FailsFirst(2).WithRetry(RetryPolicy.Exponential(3, TimeSpan.FromSeconds(10), multiplier: 2.0));

        var run = Engines.Create(workers: 1, time, observer).RunToEndAsync(script.Roots());

        var waiting = await observer.WaitForAsync("Flaky", TaskState.RetryWaiting, attempt: 1);
        Assert.Null(waiting.Change.BlockedBy); // a retry after a failure: not waiting for data (ReadModel.WaitingForData)
        await time.WaitForTimersAsync(1);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(TaskState.RetryWaiting, waiting.Node.State);
        Assert.Equal(1, script.Recorder.StartCount("Flaky"));
        time.Advance(TimeSpan.FromSeconds(1));

        await observer.WaitForAsync("Flaky", TaskState.RetryWaiting, attempt: 2);
        await time.WaitForTimersAsync(2);
        time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(TaskState.RetryWaiting, waiting.Node.State);
        Assert.Equal(2, script.Recorder.StartCount("Flaky"));
        time.Advance(TimeSpan.FromSeconds(1));

        var result = await run;

        Engines.AssertSucceeded(result);
        var attempts = result.Graph.Find("Flaky")!.Attempts;
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Number));
        Assert.Equal([TaskState.Failed, TaskState.Failed, TaskState.Done], attempts.Select(a => a.Outcome));
        Assert.Equal(TimeSpan.FromSeconds(10), attempts[1].StartedAt - attempts[0].FinishedAt);
        Assert.Equal(TimeSpan.FromSeconds(20), attempts[2].StartedAt - attempts[1].FinishedAt);
        Assert.Contains("InvalidOperationException: boom", attempts[0].Error);
        Assert.Null(attempts[2].Error);
    }

    [Fact]
    public async Task Run_LetsAnotherTaskUseTheWorker_WhileATaskWaitsForItsRetry()
    {
        var time = new TimerTrackingTimeProvider();
        var observer = new TransitionRecorder();
        var script = new GraphScript();
        script.Define("Flaky").WithPriority(10).FailsFirst(1).WithRetry(RetryPolicy.Fixed(1, TimeSpan.FromMinutes(1)));
        script.Define("Other");

        var run = Engines.Create(workers: 1, time, observer).RunToEndAsync(script.Roots("Flaky", "Other"));

        var flaky = (await observer.WaitForAsync("Flaky", TaskState.RetryWaiting)).Node;
        await observer.WaitForAsync("Other", TaskState.Done);
        Assert.Equal(TaskState.RetryWaiting, flaky.State);
        await time.WaitForTimersAsync(1);
        time.Advance(TimeSpan.FromMinutes(1));
        var result = await run;

        Engines.AssertSucceeded(result);
        Assert.Equal(["Flaky", "Other", "Flaky"], script.Recorder.StartOrder);
        Assert.True(observer.IndexOf("Other", TaskState.Done) < observer.Transitions.ToList().FindLastIndex(t => t.Node.TaskId == "Flaky" && t.To == TaskState.Running));
        Assert.Equal(2, result.Graph.Find("Flaky")!.Attempts.Count);
    }

    [Fact]
    public async Task Run_FailsTheTaskAndBlocksWhatDependsOnIt_WhenRetriesRunOut()
    {
        var script = new GraphScript();
        script.Define("Load").WithRetry(RetryPolicy.Fixed(2, TimeSpan.Zero)).Runs((_, _) => throw new InvalidOperationException("disk full"));
        script.Define("Transform").Requires("Load");
        script.Define("Report").Requires("Transform");
        script.Define("Audit");
        script.Define("AuditReport").Requires("Audit");

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots("Report", "AuditReport"));

        var load = result.Graph.Find("Load")!;
        Assert.Equal(TaskState.Failed, load.State);
        Assert.Equal(3, load.Attempts.Count);
        Assert.All(load.Attempts, a => Assert.Equal(TaskState.Failed, a.Outcome));
        Assert.Equal("System.InvalidOperationException: disk full", load.ErrorSummary);
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("Transform"));
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("Report"));
        Assert.Equal("Load", result.Graph.Find("Transform")!.BlockedBy);
        Assert.Equal("Load", result.Graph.Find("Report")!.BlockedBy);
        Assert.False(script.Recorder.HasStarted("Transform"));
        Assert.Equal(TaskState.Done, result.StateOf("Audit"));
        Assert.Equal(TaskState.Done, result.StateOf("AuditReport"));
        Assert.False(result.Succeeded);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Run_KeepsTheStackTrace_WhenRunAsyncThrows()
    {
        var result = await Engines.Create(workers: 1).RunToEndAsync([new ParsesBadRow()]);

        var node = result.Graph.Find("ParsesBadRow")!;
        Assert.Equal(TaskState.Failed, node.State);
        Assert.Equal("System.FormatException: row 17 has 3 columns, expected 4", node.ErrorSummary);
        Assert.Contains("   at ", node.Error);
        Assert.Contains(nameof(ParsesBadRow.ParseRow), node.Error);
        Assert.Equal(node.Error, node.Attempts.Single().Error);
    }

    [Fact]
    public async Task Run_UsesTheDefaultRetryFromOptions_UnlessTheTaskSetsItsOwn()
    {
        var script = new GraphScript();
        script.Define("UsesDefault").FailsFirst(1);
        script.Define("NoRetry").FailsFirst(1).WithRetry(RetryPolicy.None);
        var options = new LuigiEngineOptions { Workers = 1, DefaultRetry = RetryPolicy.Fixed(1, TimeSpan.Zero) };

        var result = await Engines.Create(options).RunToEndAsync(script.Roots("UsesDefault", "NoRetry"));

        Assert.Equal(TaskState.Done, result.StateOf("UsesDefault"));
        Assert.Equal(2, result.Graph.Find("UsesDefault")!.Attempts.Count);
        Assert.Equal(TaskState.Failed, result.StateOf("NoRetry"));
        Assert.Single(result.Graph.Find("NoRetry")!.Attempts);
    }

    [Fact]
    public async Task Run_FailsAnAttemptWithATimeoutException_WhenItRunsPastItsTimeout()
    {
        var time = new TimerTrackingTimeProvider();
        var running = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var script = new GraphScript();
        script.Define("Hangs").WithTimeout(TimeSpan.FromSeconds(30)).Runs(async (_, ct) =>
        {
            running.TrySetResult(ct);
            await Cancellation.WaitUntilCancelledAsync(ct);
        });
        script.Define("AfterHangs").Requires("Hangs");

        var run = Engines.Create(workers: 1, time).RunToEndAsync(script.Roots());
        var token = await running.Task.WaitAsync(TestTimeouts.Guard);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await run;

        var hangs = result.Graph.Find("Hangs")!;
        Assert.Equal(TaskState.Failed, hangs.State);
        Assert.Equal("System.TimeoutException: Hangs attempt 1 timed out after 00:00:30.", hangs.ErrorSummary);
        Assert.Equal(TaskState.Failed, hangs.Attempts.Single().Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), hangs.Attempts.Single().Duration);
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("AfterHangs"));
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Run_RetriesAnAttemptThatTimedOut()
    {
        var time = new TimerTrackingTimeProvider();
        var firstRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var script = new GraphScript();
        script.Define("SlowOnce").WithTimeout(TimeSpan.FromMinutes(1)).WithRetry(RetryPolicy.Fixed(1, TimeSpan.Zero)).Runs(async (context, ct) =>
        {
            if (context.Attempt == 1)
            {
                firstRunning.TrySetResult();
                await Cancellation.WaitUntilCancelledAsync(ct);
            }
        });

        var run = Engines.Create(workers: 1, time).RunToEndAsync(script.Roots());
        await firstRunning.Task.WaitAsync(TestTimeouts.Guard);
        time.Advance(TimeSpan.FromMinutes(1));
        var result = await run;

        Engines.AssertSucceeded(result);
        var attempts = result.Graph.Find("SlowOnce")!.Attempts;
        Assert.Equal([TaskState.Failed, TaskState.Done], attempts.Select(a => a.Outcome));
        Assert.Contains("TimeoutException", attempts[0].Error);
    }

    [Fact]
    public async Task Run_TellsTheTaskItsRunAttemptAndWorker()
    {
        var seen = new ConcurrentQueue<(string RunId, int Attempt, int Worker, string TaskId)>();
        var script = new GraphScript();
        script.Define("Flaky").WithRetry(RetryPolicy.Fixed(1, TimeSpan.Zero)).Runs((context, _) =>
        {
            seen.Enqueue((context.RunId, context.Attempt, context.Worker, context.Task.TaskId));
            return context.Attempt == 1 ? throw new InvalidOperationException("first try fails") : Task.CompletedTask;
        });

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(result);
        var attempts = result.Graph.Find("Flaky")!.Attempts;
        Assert.Equal([1, 2], seen.Select(s => s.Attempt));
        Assert.All(seen, s => Assert.Equal(result.RunId, s.RunId));
        Assert.All(seen, s => Assert.Equal("Flaky", s.TaskId));
        Assert.All(seen, s => Assert.InRange(s.Worker, 1, 2));
        Assert.Equal(seen.Select(s => s.Worker), attempts.Select(a => a.Worker));
    }

    [Fact]
    public async Task Run_FailsOnlyTheTask_WhoseSettingsThrow()
    {
        var script = new GraphScript();
        script.Define("Dependent").RequiresTask(() => new BadSettings());
        script.Define("Independent");

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots("Dependent", "Independent"));

        var bad = result.Graph.Find("BadSettings")!;
        Assert.Equal(TaskState.Failed, bad.State);
        Assert.Contains("Reading the settings (Priority, Retry, Timeout, Resources) of BadSettings threw", bad.Error);
        Assert.Contains("priority table is missing", bad.Error);
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("Dependent"));
        Assert.Equal(TaskState.Done, result.StateOf("Independent"));
    }

    private sealed class ParsesBadRow : LuigiTask
    {
        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            ParseRow(17, "a;b;c");
            return Task.CompletedTask;
        }

        internal static void ParseRow(int number, string row)
        {
            var columns = row.Split(';').Length;
            if (columns != 4)
            {
                throw new FormatException($"row {number} has {columns} columns, expected 4");
            }
        }
    }

    private sealed class BadSettings : LuigiTask
    {
        public override int Priority => throw new InvalidOperationException("priority table is missing");

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
