using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public abstract class LuigiEngineTests(QueueKind queue) : EngineTests(queue)
{
    public static TheoryData<string> SourceGraphs => new() { "Sequence", "ParallelJoin", "ComplexExample" };

    [Theory]
    [MemberData(nameof(SourceGraphs))]
    public async Task Run_StartsEveryTaskOnlyAfterAllItsRequirementsEnded(string graph)
    {
        var script = GraphScript.Named(graph);

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(result);
        var events = script.Recorder;
        foreach (var spec in script.Specs)
        {
            Assert.Equal(TaskState.Done, result.StateOf(spec.Name));
            Assert.Equal(1, events.StartCount(spec.Name));
            foreach (var requirement in spec.Requirements)
            {
                Assert.True(events.EndOf(requirement) < events.StartOf(spec.Name), $"{spec.Name} started before {requirement} ended.");
            }
        }
    }

    [Fact]
    public async Task Run_RunsIndependentTasksTogether_WithTwoWorkers()
    {
        var script = GraphScript.ParallelJoin();
        var bothRunning = new AsyncBarrier(participants: 2);
        script.Define("TaskA").Runs((_, _) => bothRunning.SignalAndWaitAsync());
        script.Define("TaskB").Runs((_, _) => bothRunning.SignalAndWaitAsync());

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(result);
        var events = script.Recorder;
        Assert.True(events.StartOf("TaskA") < events.EndOf("TaskB") && events.StartOf("TaskB") < events.EndOf("TaskA"),
            "TaskA and TaskB did not overlap.");
        Assert.True(events.StartOf("TaskC") > Math.Max(events.EndOf("TaskA"), events.EndOf("TaskB")));
    }

    [Fact]
    public async Task Run_RunsOneTaskAtATime_WithOneWorker()
    {
        var script = GraphScript.ComplexExample();

        var result = await Engines.Create(workers: 1).RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(result);
        var events = script.Recorder.Events;
        Assert.Equal(14, events.Count);
        for (var i = 0; i < events.Count; i += 2)
        {
            Assert.Equal(RecordedEventKind.Started, events[i].Kind);
            Assert.Equal(new RecordedEvent(events[i].Sequence + 1, events[i].Task, RecordedEventKind.Ended), events[i + 1]);
        }
    }

    [Fact]
    public async Task Run_RunsASharedRequirementOnce_WhenTwoTasksRequireIt()
    {
        var script = new GraphScript();
        script.Define("Extract");
        script.Define("CleanLeft").Requires("Extract");
        script.Define("CleanRight").Requires("Extract");
        script.Define("Report").Requires("CleanLeft", "CleanRight");

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots("Report"));

        Engines.AssertSucceeded(result);
        Assert.Equal(1, script.Recorder.StartCount("Extract"));
        Assert.Equal(4, result.Graph.Nodes.Count);
        Assert.Equal(2, result.Graph.Find("Extract")!.Dependents.Count);
        Assert.True(script.Recorder.EndOf("Extract") < Math.Min(script.Recorder.StartOf("CleanLeft"), script.Recorder.StartOf("CleanRight")));
    }

    [Fact]
    public async Task Run_SkipsCompleteTasks_WhenOutputsExist()
    {
        var script = GraphScript.ComplexExample();
        foreach (var spec in script.Specs)
        {
            spec.WithOutput();
        }

        var engine = Engines.Create(workers: 2);
        Engines.AssertSucceeded(await engine.RunToEndAsync(script.Roots()));

        var again = await engine.RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(again);
        Assert.Equal(TaskState.Complete, again.StateOf("TaskG"));
        Assert.Single(again.Graph.Nodes);
        Assert.All(script.Specs, s => Assert.Equal(1, script.Recorder.StartCount(s.Name)));
        Assert.Contains("1 were already complete", again.Summary.ToString());
    }

    [Fact]
    public async Task Run_RunsOnlyWhatIsMissing_WhenRerunAfterAFailure()
    {
        var script = GraphScript.ComplexExample();
        foreach (var spec in script.Specs)
        {
            spec.WithOutput();
        }

        var broken = true;
        script.Define("TaskE").Runs((_, _) => broken ? throw new InvalidOperationException("bad input") : Task.CompletedTask);
        var engine = Engines.Create(workers: 2);
        var first = await engine.RunToEndAsync(script.Roots());
        Assert.Equal(1, first.ExitCode);
        Assert.Equal(TaskState.Failed, first.StateOf("TaskE"));
        Assert.Equal(TaskState.UpstreamFailed, first.StateOf("TaskG"));

        broken = false;
        var second = await engine.RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(second);
        Assert.Equal(TaskState.Done, second.StateOf("TaskE"));
        Assert.Equal(TaskState.Done, second.StateOf("TaskG"));
        Assert.All(new[] { "TaskC", "TaskD", "TaskF" }, t => Assert.Equal(TaskState.Complete, second.StateOf(t)));
        Assert.Equal(2, script.Recorder.StartCount("TaskE"));
        Assert.All(new[] { "TaskA", "TaskB", "TaskC", "TaskD", "TaskF", "TaskG" }, t => Assert.Equal(1, script.Recorder.StartCount(t)));
    }

    [Fact]
    public async Task Run_CancelsRunningAndPendingTasks_WhenTheRunIsCancelled()
    {
        var script = new GraphScript();
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        script.Define("Slow").Runs(async (_, ct) =>
        {
            slowStarted.TrySetResult();
            await Cancellation.WaitUntilCancelledAsync(ct);
        });
        script.Define("AfterSlow").Requires("Slow");
        script.Define("Last").Requires("AfterSlow");
        using var cancel = new CancellationTokenSource();

        var run = Engines.Create(workers: 2).RunToEndAsync(script.Roots(), cancel.Token);
        await slowStarted.Task.WaitAsync(TestTimeouts.Guard);
        await cancel.CancelAsync();
        var result = await run;

        Assert.Equal(["Slow"], script.Recorder.StartOrder);
        Assert.Equal(TaskState.Cancelled, result.StateOf("Slow"));
        Assert.Equal(TaskState.Cancelled, result.Graph.Find("Slow")!.Attempts.Single().Outcome);
        Assert.Equal(TaskState.Cancelled, result.StateOf("AfterSlow"));
        Assert.Equal(TaskState.Cancelled, result.StateOf("Last"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(3, result.Summary.Cancelled.Count);
        Assert.Contains("3 were cancelled", result.Summary.ToString());
    }

    /// <summary>
    /// A task already waiting in the ready queue when the run is cancelled must not start: the worker
    /// freed by the cancelled task must not pick it up.
    /// </summary>
    [Fact]
    public async Task Run_StartsNoQueuedTask_AfterTheRunIsCancelled()
    {
        var script = new GraphScript();
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        script.Define("Slow").WithPriority(10).Runs(async (_, ct) =>
        {
            slowStarted.TrySetResult();
            await Cancellation.WaitUntilCancelledAsync(ct);
        });
        script.Define("Queued");
        var observer = new TransitionRecorder();
        using var cancel = new CancellationTokenSource();

        var run = Engines.Create(workers: 1, observers: observer).RunToEndAsync(script.Roots("Slow", "Queued"), cancel.Token);
        await slowStarted.Task.WaitAsync(TestTimeouts.Guard);
        await cancel.CancelAsync();
        var result = await run;

        Assert.Equal(["Slow"], script.Recorder.StartOrder);
        Assert.DoesNotContain(observer.Transitions, t => t.Node.TaskId == "Queued" && t.To == TaskState.Running);
        Assert.Equal(TaskState.Cancelled, result.StateOf("Queued"));
        Assert.Equal(TaskState.Cancelled, result.StateOf("Slow"));
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Run_CancelsATaskWaitingForItsRetry_WithoutRetryingIt()
    {
        var time = new TimerTrackingTimeProvider();
        var script = new GraphScript();
        script.Define("Flaky").FailsFirst(1).WithRetry(RetryPolicy.Fixed(3, TimeSpan.FromMinutes(1)));
        var observer = new TransitionRecorder();
        using var cancel = new CancellationTokenSource();

        var run = Engines.Create(workers: 1, time, observer).RunToEndAsync(script.Roots(), cancel.Token);
        await observer.WaitForAsync("Flaky", TaskState.RetryWaiting);
        await time.WaitForTimersAsync(1);
        await cancel.CancelAsync();
        var result = await run;
        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(TaskState.Cancelled, result.StateOf("Flaky"));
        Assert.Single(result.Graph.Find("Flaky")!.Attempts);
        Assert.Equal(1, script.Recorder.StartCount("Flaky"));
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Run_ExitsWithZero_WhenEverythingRequestedWasAlreadyComplete()
    {
        var script = new GraphScript();
        script.Define("Done").WithOutput();
        script.Store.Set("Done", "from yesterday");

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(result);
        Assert.Equal(TaskState.Complete, result.StateOf("Done"));
        Assert.Empty(script.Recorder.Events);
    }

    [Theory]
    [InlineData(0, 16, "Workers")]
    [InlineData(2, 0, "CompletenessCheckConcurrency")]
    public void Constructor_RejectsOptionsOutOfRange_NamingTheSetting(int workers, int checks, string setting)
    {
        var options = new LuigiEngineOptions { Workers = workers, CompletenessCheckConcurrency = checks };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LuigiEngine(options));

        Assert.Equal(setting, error.ParamName);
    }
}
