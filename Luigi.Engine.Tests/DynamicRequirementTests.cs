using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

/// <summary>Tasks a running task requires at run time (<see cref="TaskContext.RequireAsync(IEnumerable{LuigiTask}, CancellationToken)"/>).</summary>
public abstract class DynamicRequirementTests(QueueKind queue) : EngineTests(queue)
{
    private readonly InMemoryTargetStore _store = new();
    private readonly ConcurrentDictionary<string, int> _runs = new();

    [Fact]
    public async Task Run_RunsEachTaskFoundAtRunTime_ThenTheRequesterAgainFromTheStart()
    {
        using var folder = new TempDirectory();
        var manifest = folder.File("manifest.txt");
        await File.WriteAllLinesAsync(manifest, ["north", "south", "east", "west", "centre"]);

        // One worker: the requester must not hold it while its requirements run.
        var observer = new TransitionRecorder();
        var result = await Engines.Create(workers: 1, time: null, observer).RunToEndAsync([new CleanAll(_store, _runs) { Manifest = manifest }]);

        Engines.AssertSucceeded(result);
        var cleans = result.Graph.Nodes.Where(n => n.Family == nameof(Clean)).ToList();
        Assert.Equal(["centre", "east", "north", "south", "west"], cleans.Select(n => ((Clean)n.Task).Name).Order());
        Assert.All(cleans, n => Assert.Equal(TaskState.Done, n.State));
        Assert.All(cleans, n => Assert.Contains(result.Graph.Find("CleanAll(manifest=" + manifest + ")")!.Index, n.Dependents));
        Assert.Equal(2, _runs[nameof(CleanAll)]); // suspended once, then called again from the start
        var requester = result.Graph.Find($"CleanAll(manifest={manifest})")!;
        Assert.Equal([TaskState.Pending, TaskState.Done], requester.Attempts.Select(a => a.Outcome)); // suspended (no failure), then resumed
        Assert.Equal("centre,east,north,south,west", _store.Get("all-clean"));
        Assert.Equal(6, result.Summary.Scheduled);
        Assert.Equal(6, result.Summary.Ran.Count);
        Assert.Equal([TaskState.Running, TaskState.Pending, TaskState.Running, TaskState.Done], observer.Of(requester.TaskId).Select(t => t.To));
        var orders = observer.Of(requester.TaskId).Select(t => t.Change.Order).ToList();
        Assert.Equal(orders.Order(), orders); // a live page applies each one: the suspension leaves Running, the resumption follows
        Assert.Equal(orders.Count, orders.Distinct().Count());
        Assert.All(cleans, n => Assert.Equal([TaskState.Pending, TaskState.Running, TaskState.Done], observer.Of(n.TaskId).Select(t => t.To)));
        Assert.True(observer.IndexOf(requester.TaskId, TaskState.Done) > cleans.Max(n => observer.IndexOf(n.TaskId, TaskState.Done)));
    }

    [Fact]
    public async Task Run_RunsATaskOnce_WhenTheStaticGraphHasItAndATaskRequiresItAgainAtRunTime()
    {
        using var folder = new TempDirectory();
        var manifest = folder.File("manifest.txt");
        await File.WriteAllLinesAsync(manifest, ["north", "south"]);

        var result = await Engines.Create(workers: 2).RunToEndAsync(
            [new Clean(_store, _runs) { Name = "north" }, new CleanAll(_store, _runs) { Manifest = manifest }]);

        Engines.AssertSucceeded(result);
        Assert.Equal(1, _runs["Clean(north)"]);
        Assert.Equal(1, _runs["Clean(south)"]);
        Assert.Single(result.Graph.Nodes, n => n.TaskId == "Clean(name=north)");
    }

    [Fact]
    public async Task Run_SkipsTheTasksFoundAtRunTimeThatAreComplete_AndGoesOnWithoutSuspending()
    {
        using var folder = new TempDirectory();
        var manifest = folder.File("manifest.txt");
        await File.WriteAllLinesAsync(manifest, ["north", "south"]);
        _store.Set("clean/north", "");
        _store.Set("clean/south", "");

        var result = await Engines.Create(workers: 1).RunToEndAsync([new CleanAll(_store, _runs) { Manifest = manifest }]);

        Engines.AssertSucceeded(result);
        Assert.Equal(1, _runs[nameof(CleanAll)]);
        Assert.Single(result.Graph.Nodes);
        Assert.False(_runs.ContainsKey("Clean(north)"));
    }

    [Fact]
    public async Task Run_BlocksTheRequester_WhenATaskItRequiredAtRunTimeFails()
    {
        using var folder = new TempDirectory();
        var manifest = folder.File("manifest.txt");
        await File.WriteAllLinesAsync(manifest, ["north", "broken"]);

        var observer = new TransitionRecorder();
        var result = await Engines.Create(workers: 2, time: null, observer).RunToEndAsync(
            [new Publish(_store, _runs) { Manifest = manifest }, new Clean(_store, _runs) { Name = "independent" }]);

        var requester = $"CleanAll(manifest={manifest})";
        Assert.Equal([TaskState.Running, TaskState.Pending, TaskState.UpstreamFailed], observer.Of(requester).Select(t => t.To));
        var orders = observer.Of(requester).Select(t => t.Change.Order).ToList();
        Assert.Equal(orders.Order(), orders); // a live page shows it suspended, then blocked
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(TaskState.Failed, result.StateOf("Clean(name=broken)"));
        Assert.Equal(TaskState.Done, result.StateOf("Clean(name=north)"));
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf(requester));
        Assert.Equal("Clean(name=broken)", result.Graph.Find(requester)!.BlockedBy);
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf($"Publish(manifest={manifest})"));
        Assert.Equal("Clean(name=broken)", result.Graph.Find($"Publish(manifest={manifest})")!.BlockedBy);
        Assert.Equal(TaskState.Done, result.StateOf("Clean(name=independent)"));
        Assert.Equal(1, _runs[nameof(CleanAll)]);
        Assert.Contains("Clean(name=broken)", result.Summary.ToString());
    }

    [Fact]
    public async Task Run_FailsTheRequesterNamingTheCycle_WhenATaskRequiresAtRunTimeSomethingThatRequiresIt()
    {
        var result = await Engines.Create(workers: 1).RunToEndAsync([new Downstream(_store, _runs)]);

        var requester = result.Graph.Find("Loop")!;
        Assert.Equal(TaskState.Failed, requester.State);
        Assert.Equal(
            "Dependency cycle at run time: Loop requires Downstream, which is downstream of Loop (it requires Loop). The requirement was refused.",
            requester.ErrorSummary);
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("Downstream"));
        Assert.Equal(2, result.Graph.Nodes.Count); // nothing of the refused request joined the graph
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Run_FailsTheRequesterNamingTheResource_WhenATaskItRequiresAtRunTimeNeedsMoreThanTheTotal()
    {
        var options = new LuigiEngineOptions { Workers = 1, Resources = new Dictionary<string, int> { ["warehouse"] = 1 } };

        var result = await Engines.Create(options).RunToEndAsync([new NeedsNotification(_store, _runs) { Warehouse = 2 }]);

        Assert.Equal(TaskState.Failed, result.StateOf("NeedsNotification"));
        Assert.Equal(
            "NeedsNotification required at run time: Task Notify needs 2 of resource 'warehouse', more than its total of 1 (Luigi:Resources:warehouse): it could never run.",
            result.Graph.Find("NeedsNotification")!.ErrorSummary);
        Assert.Single(result.Graph.Nodes);
        Assert.False(_runs.ContainsKey(nameof(Notify)));
    }

    [Fact]
    public async Task Run_ResumesTheRequester_WhenATaskItRequiredAtRunTimeHasNoOutputsAndRan()
    {
        var result = await Engines.Create(workers: 1).RunToEndAsync([new NeedsNotification(_store, _runs)]);

        Engines.AssertSucceeded(result);
        Assert.Equal(1, _runs[nameof(Notify)]);
        Assert.Equal(2, _runs[nameof(NeedsNotification)]);
        Assert.Equal(TaskState.Done, result.StateOf("Notify"));
    }

    [Fact]
    public async Task Run_KeepsWhatTheSuspendedAttemptLogged_AndTheResumedAttemptsLinesFollow()
    {
        using var folder = new TempDirectory();
        var manifest = folder.File("manifest.txt");
        await File.WriteAllLinesAsync(manifest, ["north", "south"]);
        await using var services = new ServiceCollection().AddLogging(logging => logging.AddLuigiTaskLogs()).BuildServiceProvider();

        var result = await Engines.Create(new LuigiEngineOptions { Workers = 1 }, services).RunToEndAsync(
            [new LoggingRequester(_store, _runs) { Manifest = manifest }]);

        Engines.AssertSucceeded(result);
        var attempts = result.Graph.Find($"LoggingRequester(manifest={manifest})")!.Attempts;
        Assert.Equal([TaskState.Pending, TaskState.Done], attempts.Select(a => a.Outcome));
        Assert.Equal(["call 1: read 2 names", "call 1: asking for north, south"], attempts[0].Log.Select(l => l.Message));
        Assert.Equal(["call 2: read 2 names", "call 2: asking for north, south", "call 2: published"], attempts[1].Log.Select(l => l.Message));
    }

    [Fact]
    public async Task Run_RetriesTheResumedRequester_AsIfItsSuspensionsWereNoAttempt()
    {
        using var folder = new TempDirectory();
        var manifest = folder.File("manifest.txt");
        await File.WriteAllLinesAsync(manifest, ["north"]);

        // One retry: the suspension uses none of it, so the resumed run's first failure is retried and the second fails the task.
        var result = await Engines.Create(workers: 1).RunToEndAsync([new FailingRequester(_store, _runs) { Manifest = manifest }]);

        var requester = result.Graph.Find($"FailingRequester(manifest={manifest})")!;
        Assert.Equal(TaskState.Failed, requester.State);
        Assert.Equal([TaskState.Pending, TaskState.Failed, TaskState.Failed], requester.Attempts.Select(a => a.Outcome));
        Assert.Equal(3, _runs[nameof(FailingRequester)]);
    }

    /// <summary>Logs through its context and its own <see cref="ILogger{TCategoryName}"/> before and after it requires a
    /// <see cref="Clean"/> per name of a manifest.</summary>
    private sealed class LoggingRequester(InMemoryTargetStore store, ConcurrentDictionary<string, int> runs) : LuigiTask
    {
        [Parameter]
        public string Manifest { get; init; } = "";

        public override IEnumerable<Target> Output() => [store.Target("published")];

        public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            var call = runs.AddOrUpdate(nameof(LoggingRequester), 1, (_, n) => n + 1);
            var names = await File.ReadAllLinesAsync(Manifest, cancellationToken);
            context.Log($"call {call}: read {names.Length} names");
            context.Services.GetRequiredService<ILogger<LoggingRequester>>().LogInformation("call {Call}: asking for {Names}", call, string.Join(", ", names));
            await context.RequireAsync(names.Select(n => new Clean(store, runs) { Name = n }), cancellationToken);
            context.Log($"call {call}: published");
            store.Set("published", "");
        }
    }

    /// <summary>Requires a <see cref="Clean"/> per name of a manifest, then fails; one retry.</summary>
    private sealed class FailingRequester(InMemoryTargetStore store, ConcurrentDictionary<string, int> runs) : LuigiTask
    {
        [Parameter]
        public string Manifest { get; init; } = "";

        public override RetryPolicy? Retry => RetryPolicy.Fixed(1, TimeSpan.Zero);

        public override IEnumerable<Target> Output() => [store.Target("failing")];

        public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            runs.AddOrUpdate(nameof(FailingRequester), 1, (_, n) => n + 1);
            var names = await File.ReadAllLinesAsync(Manifest, cancellationToken);
            await context.RequireAsync(names.Select(n => new Clean(store, runs) { Name = n }), cancellationToken);
            throw new InvalidDataException("the cleaned files do not add up");
        }
    }

    /// <summary>Cleans one file; "broken" throws. Counts its runs.</summary>
    private sealed class Clean(InMemoryTargetStore store, ConcurrentDictionary<string, int> runs) : LuigiTask
    {
        [Parameter]
        public string Name { get; init; } = "";

        public override IEnumerable<Target> Output() => [store.Target($"clean/{Name}")];

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            runs.AddOrUpdate($"Clean({Name})", 1, (_, n) => n + 1);
            if (Name == "broken")
            {
                throw new InvalidDataException($"{Name} cannot be parsed");
            }

            store.Set($"clean/{Name}", "");
            return Task.CompletedTask;
        }
    }

    /// <summary>Reads a manifest (one name a line) and requires one <see cref="Clean"/> per name, found only when it runs.</summary>
    private sealed class CleanAll(InMemoryTargetStore store, ConcurrentDictionary<string, int> runs) : LuigiTask
    {
        [Parameter]
        public string Manifest { get; init; } = "";

        public override IEnumerable<Target> Output() => [store.Target("all-clean")];

        public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            runs.AddOrUpdate(nameof(CleanAll), 1, (_, n) => n + 1);
            var names = await File.ReadAllLinesAsync(Manifest, cancellationToken);
            await context.RequireAsync(names.Select(n => new Clean(store, runs) { Name = n }), cancellationToken);
            store.Set("all-clean", string.Join(",", names.Order(StringComparer.Ordinal)));
        }
    }

    /// <summary>Requires <see cref="CleanAll"/> statically.</summary>
    private sealed class Publish(InMemoryTargetStore store, ConcurrentDictionary<string, int> runs) : LuigiTask
    {
        [Parameter]
        public string Manifest { get; init; } = "";

        public override IEnumerable<LuigiTask> Requires() => [new CleanAll(store, runs) { Manifest = Manifest }];

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Requires <see cref="Loop"/>, which requires this task back at run time.</summary>
    private sealed class Downstream(InMemoryTargetStore store, ConcurrentDictionary<string, int> runs) : LuigiTask
    {
        public override IEnumerable<LuigiTask> Requires() => [new Loop(store, runs)];

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Loop(InMemoryTargetStore store, ConcurrentDictionary<string, int> runs) : LuigiTask
    {
        public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken) =>
            await context.RequireAsync(new Downstream(store, runs), cancellationToken);
    }

    /// <summary>A task with no outputs (never complete): done once it ran in the run.</summary>
    private sealed class Notify(ConcurrentDictionary<string, int> runs, int warehouse = 0) : LuigiTask
    {
        public override IReadOnlyDictionary<string, int> Resources =>
            warehouse == 0 ? base.Resources : new Dictionary<string, int> { ["warehouse"] = warehouse };

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            runs.AddOrUpdate(nameof(Notify), 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }
    }

    private sealed class NeedsNotification(InMemoryTargetStore store, ConcurrentDictionary<string, int> runs) : LuigiTask
    {
        /// <summary>How much of the resource <c>warehouse</c> the notification needs.</summary>
        public int Warehouse { get; init; }

        public override IEnumerable<Target> Output() => [store.Target("notified")];

        public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            runs.AddOrUpdate(nameof(NeedsNotification), 1, (_, n) => n + 1);
            await context.RequireAsync(new Notify(runs, Warehouse), cancellationToken);
            store.Set("notified", "");
        }
    }
}
