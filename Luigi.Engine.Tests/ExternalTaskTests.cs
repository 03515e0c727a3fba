using Luigi.Engine.ReadModel;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public abstract class ExternalTaskTests(QueueKind queue) : EngineTests(queue)
{
    private static readonly DateOnly Day = new(2026, 11, 26);

    [Fact]
    public async Task Run_FailsTheExternalTaskNamingIt_AndBlocksItsDependents_WhenItsOutputIsMissing()
    {
        var script = new GraphScript();
        script.Define("ImportVendorFile").RequiresTask(() => new VendorDrop(script.Store) { Date = Day });
        script.Define("Independent");

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots("ImportVendorFile", "Independent"));

        var drop = result.Graph.Find("VendorDrop(date=2026-11-26)")!;
        Assert.Equal(TaskState.Failed, drop.State);
        Assert.Equal("External dependency VendorDrop(date=2026-11-26) is missing: memory:vendor/2026-11-26.csv does not exist.", drop.Error);
        Assert.Empty(drop.Attempts);
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("ImportVendorFile"));
        Assert.Equal("VendorDrop(date=2026-11-26)", result.Graph.Find("ImportVendorFile")!.BlockedBy);
        Assert.False(script.Recorder.HasStarted("ImportVendorFile"));
        Assert.Equal(TaskState.Done, result.StateOf("Independent"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("VendorDrop(date=2026-11-26): External dependency VendorDrop(date=2026-11-26) is missing", result.Summary.ToString());
    }

    [Fact]
    public async Task Run_TakesTheExternalTaskAsComplete_WhenItsOutputExists()
    {
        var script = new GraphScript();
        script.Store.Set("vendor/2026-11-26.csv", "id,amount");
        script.Define("ImportVendorFile").RequiresTask(() => new VendorDrop(script.Store) { Date = Day });

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(result);
        Assert.Equal(TaskState.Complete, result.StateOf("VendorDrop(date=2026-11-26)"));
        Assert.Equal(TaskState.Done, result.StateOf("ImportVendorFile"));
    }

    [Fact]
    public async Task Run_ChecksAgainEveryInterval_AndRunsTheDependent_WhenTheDataArrivesAfterThreeChecks()
    {
        var time = new TimerTrackingTimeProvider();
        var observer = new TransitionRecorder();
        var script = new GraphScript();
        script.Define("ImportVendorFile").RequiresTask(() => new WaitingVendorDrop(script.Store) { Date = Day });

        var run = Engines.Create(workers: 1, time, observer).RunToEndAsync(script.Roots());

        const string drop = "WaitingVendorDrop(date=2026-11-26)";
        var started = time.GetUtcNow();
        for (var check = 1; check <= 3; check++)
        {
            var waiting = await observer.WaitForAsync(drop, TaskState.RetryWaiting, attempt: check);
            Assert.Equal(started.AddHours(1).UtcDateTime, WaitingForData.Until(waiting.To, waiting.Change.BlockedBy)); // waiting for data, not to retry
            Assert.Equal(started.AddMinutes(5 * check).UtcDateTime, waiting.Change.NextAttemptAt); // its next check, which a live page shows
            Assert.Equal($"{drop} has not arrived yet: memory:vendor/2026-11-26.csv; next check at {started.AddMinutes(5 * check).UtcDateTime:yyyy-MM-dd HH:mm:ss}Z"
                + $", gives up at {started.AddHours(1).UtcDateTime:yyyy-MM-dd HH:mm:ss}Z", waiting.Change.ErrorSummary); // the engine's message, no exception type
            Assert.False(script.Recorder.HasStarted("ImportVendorFile"));
            await time.WaitForTimersAsync(check);
            if (check == 3)
            {
                script.Store.Set("vendor/2026-11-26.csv", "id,amount"); // the export lands between the third and the fourth check
            }

            time.Advance(TimeSpan.FromMinutes(5));
        }

        var result = await run;

        Engines.AssertSucceeded(result);
        var attempts = result.Graph.Find(drop)!.Attempts;
        Assert.Equal([TaskState.Failed, TaskState.Failed, TaskState.Failed, TaskState.Done], attempts.Select(a => a.Outcome)); // a check that found nothing ends its attempt as a failed one does, the task waiting
        Assert.All(attempts.Take(3), (a, i) => Assert.Contains(
            $"has not arrived yet: memory:vendor/2026-11-26.csv; next check at {started.AddMinutes(5 * (i + 1)).UtcDateTime:yyyy-MM-dd HH:mm:ss}Z", a.Error));
        Assert.Equal(started.AddMinutes(15), attempts[3].StartedAt);
        Assert.Equal(TaskState.Done, result.StateOf("ImportVendorFile"));
    }

    [Fact]
    public async Task Run_FailsTheWaitingTaskSayingWhatNeverArrived_WhenTheDeadlinePasses()
    {
        var time = new TimerTrackingTimeProvider();
        var observer = new TransitionRecorder();
        var script = new GraphScript();
        script.Define("ImportVendorFile").RequiresTask(() => new WaitingVendorDrop(script.Store, minutes: 12) { Date = Day });

        var run = Engines.Create(workers: 1, time, observer).RunToEndAsync(script.Roots());

        const string drop = "WaitingVendorDrop(date=2026-11-26)";
        var started = time.GetUtcNow();
        for (var check = 1; check <= 3; check++)
        {
            await observer.WaitForAsync(drop, TaskState.RetryWaiting, attempt: check);
            await time.WaitForTimersAsync(check);
            time.Advance(TimeSpan.FromMinutes(check < 3 ? 5 : 2)); // the last check is at the deadline, 12 minutes in: 0, 5, 10, 12
        }

        var result = await run;

        var node = result.Graph.Find(drop)!;
        Assert.Equal(TaskState.Failed, node.State);
        Assert.Equal(4, node.Attempts.Count);
        Assert.Equal(started.AddMinutes(12), node.Attempts[3].StartedAt);
        Assert.Contains("WaitingVendorDrop(date=2026-11-26) never arrived: memory:vendor/2026-11-26.csv", node.Error);
        Assert.Equal("WaitingVendorDrop(date=2026-11-26) never arrived: memory:vendor/2026-11-26.csv (checked every 00:05:00 for 00:12:00 from the start of the run)",
            node.ErrorSummary); // what the page and the e-mail show: the engine's message, no exception type before it
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("ImportVendorFile"));
        Assert.False(script.Recorder.HasStarted("ImportVendorFile"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("never arrived: memory:vendor/2026-11-26.csv", result.Summary.ToString());
    }

    [Fact]
    public async Task Run_LetsAnotherTaskUseTheOnlyWorker_WhileATaskWaitsForItsData()
    {
        var time = new TimerTrackingTimeProvider();
        var observer = new TransitionRecorder();
        var script = new GraphScript();
        script.Define("ImportVendorFile").RequiresTask(() => new WaitingVendorDrop(script.Store) { Date = Day });
        script.Define("Other");

        var run = Engines.Create(workers: 1, time, observer).RunToEndAsync(script.Roots("ImportVendorFile", "Other"));

        await observer.WaitForAsync("WaitingVendorDrop(date=2026-11-26)", TaskState.RetryWaiting, attempt: 1);
        await observer.WaitForAsync("Other", TaskState.Done); // on the one worker, while the drop waits with the clock stopped
        script.Store.Set("vendor/2026-11-26.csv", "id,amount");
        await time.WaitForTimersAsync(1);
        time.Advance(TimeSpan.FromMinutes(5));
        var result = await run;

        Engines.AssertSucceeded(result);
        Assert.Equal(["Other", "ImportVendorFile"], script.Recorder.StartOrder);
    }

    /// <summary>A day's vendor file that is waited for: checked every 5 minutes for up to <paramref name="minutes"/> minutes.</summary>
    private sealed class WaitingVendorDrop(InMemoryTargetStore store, int minutes = 60) : ExternalTask
    {
        [Parameter]
        public DateOnly Date { get; init; }

        public override WaitFor? WaitFor => new(every: TimeSpan.FromMinutes(5), upTo: TimeSpan.FromMinutes(minutes));

        public override IEnumerable<Target> Output() => [store.Target($"vendor/{Date:yyyy-MM-dd}.csv")];
    }

    private sealed class VendorDrop(InMemoryTargetStore store) : ExternalTask
    {
        [Parameter]
        public DateOnly Date { get; init; }

        public override IEnumerable<Target> Output() => [store.Target($"vendor/{Date:yyyy-MM-dd}.csv")];
    }
}
